/*
 * SocketHTTP1-compress.c - gzip/deflate content codings over zlib
 * (built only with SOCKETHTTP1_HAS_COMPRESSION; always listed in the
 * source list so the cgo stubs need no conditionals).
 *
 * zlib's allocations come from the caller's arena (allocation failure is
 * reported to zlib as Z_NULL, never raised through it), so forgetting
 * *_free leaks nothing beyond the arena's lifetime.
 */
#include "http/SocketHTTP1.h"

#ifdef SOCKETHTTP1_HAS_COMPRESSION

#include <limits.h>
#include <string.h>
#include <zlib.h>

#include "core/SocketUtil.h"

struct SocketHTTP1_Decoder
{
  z_stream zs;
  Arena_T arena;
  int zlib_format;   /* "deflate": zlib-wrapped, or raw when detected */
  int detected;      /* deflate flavour decided */
  int done;          /* end of stream seen */
};

struct SocketHTTP1_Encoder
{
  z_stream zs;
  Arena_T arena;
  int done;
};

static voidpf
arena_zalloc (voidpf opaque, uInt items, uInt size)
{
  volatile voidpf p = Z_NULL;
  TRY
    p = Arena_calloc ((Arena_T)opaque, items, size, __FILE__, __LINE__);
  EXCEPT (Arena_Failed)
    p = Z_NULL;
  END_TRY;
  return p;
}

static void
arena_zfree (voidpf opaque, voidpf address)
{
  (void)opaque;
  (void)address; /* returned with the arena */
}

static void
stream_init (z_stream *zs, Arena_T arena)
{
  memset (zs, 0, sizeof (*zs));
  zs->zalloc = arena_zalloc;
  zs->zfree = arena_zfree;
  zs->opaque = arena;
}

SocketHTTP1_Decoder_T
SocketHTTP1_Decoder_new (SocketHTTP_Coding coding, Arena_T arena)
{
  SocketHTTP1_Decoder_T d;
  if (coding != HTTP_CODING_GZIP && coding != HTTP_CODING_DEFLATE)
    return NULL;
  if (arena == NULL)
    RAISE (SocketHTTP1_ParseError);
  d = CALLOC (arena, 1, sizeof (*d));
  d->arena = arena;
  stream_init (&d->zs, arena);
  d->zlib_format = coding == HTTP_CODING_DEFLATE;
  d->detected = coding == HTTP_CODING_GZIP;
  if (inflateInit2 (&d->zs, coding == HTTP_CODING_GZIP ? 16 + MAX_WBITS : MAX_WBITS) != Z_OK)
    RAISE (SocketHTTP1_ParseError);
  return d;
}

void
SocketHTTP1_Decoder_free (SocketHTTP1_Decoder_T *decoder)
{
  if (decoder == NULL || *decoder == NULL)
    return;
  inflateEnd (&(*decoder)->zs);
  *decoder = NULL;
}

/* "deflate" in HTTP means zlib format, but some servers send raw deflate:
 * a valid zlib header has CM 8, CINFO <= 7 and a FCHECK multiple of 31. */
static int
detect_deflate (SocketHTTP1_Decoder_T d, const unsigned char *in, size_t len)
{
  if (len < 2)
    return 0;
  if ((in[0] & 0x0F) != 8 || (in[0] >> 4) > 7 || ((in[0] << 8) | in[1]) % 31 != 0)
    {
      if (inflateReset2 (&d->zs, -MAX_WBITS) != Z_OK)
        return -1;
      d->zlib_format = 0;
    }
  d->detected = 1;
  return 1;
}

SocketHTTP1_Result
SocketHTTP1_Decoder_decode (SocketHTTP1_Decoder_T decoder, const unsigned char *input,
                            size_t input_len, size_t *consumed, unsigned char *output,
                            size_t output_len, size_t *written)
{
  int rc;
  *consumed = *written = 0;
  if (decoder == NULL || (input == NULL && input_len > 0) || output == NULL)
    return HTTP1_ERROR;
  if (decoder->done)
    return input_len > 0 ? HTTP1_ERROR : HTTP1_OK;
  if (!decoder->detected)
    {
      rc = detect_deflate (decoder, input, input_len);
      if (rc <= 0)
        return rc < 0 ? HTTP1_ERROR : HTTP1_INCOMPLETE;
    }
  decoder->zs.next_in = (Bytef *)(uintptr_t)input;
  decoder->zs.avail_in = input_len > UINT_MAX ? UINT_MAX : (uInt)input_len;
  decoder->zs.next_out = output;
  decoder->zs.avail_out = output_len > UINT_MAX ? UINT_MAX : (uInt)output_len;
  rc = inflate (&decoder->zs, Z_NO_FLUSH);
  *consumed = (size_t)((const unsigned char *)decoder->zs.next_in - input);
  *written = (size_t)(decoder->zs.next_out - output);
  if (rc == Z_STREAM_END)
    {
      decoder->done = 1;
      return *consumed < input_len ? HTTP1_ERROR : HTTP1_OK;
    }
  return (rc == Z_OK || rc == Z_BUF_ERROR) ? HTTP1_INCOMPLETE : HTTP1_ERROR;
}

SocketHTTP1_Result
SocketHTTP1_Decoder_finish (SocketHTTP1_Decoder_T decoder, unsigned char *output,
                            size_t output_len, size_t *written)
{
  int rc;
  *written = 0;
  if (decoder == NULL || output == NULL)
    return HTTP1_ERROR;
  if (decoder->done)
    return HTTP1_OK;
  decoder->zs.next_in = Z_NULL;
  decoder->zs.avail_in = 0;
  decoder->zs.next_out = output;
  decoder->zs.avail_out = output_len > UINT_MAX ? UINT_MAX : (uInt)output_len;
  rc = inflate (&decoder->zs, Z_SYNC_FLUSH);
  *written = (size_t)(decoder->zs.next_out - output);
  if (rc == Z_STREAM_END)
    {
      decoder->done = 1;
      return HTTP1_OK;
    }
  if (rc == Z_OK && decoder->zs.avail_out == 0)
    return HTTP1_INCOMPLETE; /* more output pending */
  return rc == Z_OK || rc == Z_BUF_ERROR ? HTTP1_ERROR_UNEXPECTED_EOF : HTTP1_ERROR;
}

SocketHTTP1_Encoder_T
SocketHTTP1_Encoder_new (SocketHTTP_Coding coding, SocketHTTP1_CompressLevel level, Arena_T arena)
{
  SocketHTTP1_Encoder_T e;
  int lvl = (int)level;
  if (coding != HTTP_CODING_GZIP && coding != HTTP_CODING_DEFLATE)
    return NULL;
  if (arena == NULL)
    RAISE (SocketHTTP1_ParseError);
  if (lvl < 1 || lvl > 9)
    lvl = HTTP1_COMPRESS_DEFAULT;
  e = CALLOC (arena, 1, sizeof (*e));
  e->arena = arena;
  stream_init (&e->zs, arena);
  if (deflateInit2 (&e->zs, lvl, Z_DEFLATED, coding == HTTP_CODING_GZIP ? 16 + MAX_WBITS : MAX_WBITS,
                    8, Z_DEFAULT_STRATEGY)
      != Z_OK)
    RAISE (SocketHTTP1_ParseError);
  return e;
}

void
SocketHTTP1_Encoder_free (SocketHTTP1_Encoder_T *encoder)
{
  if (encoder == NULL || *encoder == NULL)
    return;
  deflateEnd (&(*encoder)->zs);
  *encoder = NULL;
}

ssize_t
SocketHTTP1_Encoder_encode (SocketHTTP1_Encoder_T encoder, const unsigned char *input,
                            size_t input_len, unsigned char *output, size_t output_len, int flush)
{
  int rc;
  if (encoder == NULL || encoder->done || (input == NULL && input_len > 0) || output == NULL
      || input_len > UINT_MAX || output_len > UINT_MAX)
    return -1;
  encoder->zs.next_in = (Bytef *)(uintptr_t)input;
  encoder->zs.avail_in = (uInt)input_len;
  encoder->zs.next_out = output;
  encoder->zs.avail_out = (uInt)output_len;
  rc = deflate (&encoder->zs, flush ? Z_SYNC_FLUSH : Z_NO_FLUSH);
  if ((rc != Z_OK && rc != Z_BUF_ERROR) || encoder->zs.avail_in != 0
      || (flush && encoder->zs.avail_out == 0))
    return -1; /* output too small: the stream is now unusable */
  return (ssize_t)(output_len - encoder->zs.avail_out);
}

ssize_t
SocketHTTP1_Encoder_finish (SocketHTTP1_Encoder_T encoder, unsigned char *output,
                            size_t output_len)
{
  int rc;
  if (encoder == NULL || output == NULL || output_len > UINT_MAX)
    return -1;
  if (encoder->done)
    return 0;
  encoder->zs.next_in = Z_NULL;
  encoder->zs.avail_in = 0;
  encoder->zs.next_out = output;
  encoder->zs.avail_out = (uInt)output_len;
  rc = deflate (&encoder->zs, Z_FINISH);
  if (rc == Z_STREAM_END)
    encoder->done = 1;
  else if (rc != Z_OK && rc != Z_BUF_ERROR)
    return -1;
  return (ssize_t)(output_len - encoder->zs.avail_out);
}

#else

/* ISO C wants at least one declaration per translation unit. */
typedef int SocketHTTP1_compress_disabled;

#endif /* SOCKETHTTP1_HAS_COMPRESSION */
