/*
 * SocketWS-private.h - declarations shared by the WebSocket sources:
 * the codec object and its permessage-deflate hooks.
 */
#ifndef SOCKETWS_PRIVATE_INCLUDED
#define SOCKETWS_PRIVATE_INCLUDED

#include <stdint.h>

#include "core/SocketUTF8.h"
#include "socket/SocketWSExt.h"

#if defined(SOCKETWS_HAS_DEFLATE) || defined(SOCKETHTTP1_HAS_COMPRESSION)
#define SOCKETWS_DEFLATE 1
#else
#define SOCKETWS_DEFLATE 0
#endif

/* first size of the input buffer: idle connections stay small */
#define SOCKETWS_INPUT_INITIAL (16u * 1024u)

/* inflate output chunk: the size of one DATA event of a compressed message */
#define SOCKETWS_INFLATE_CHUNK (64u * 1024u)

struct SocketWSExt_Codec
{
  SocketWS_Config cfg;
  int server;

  /* received bytes: in[in_start, in_end) */
  unsigned char *in;
  size_t in_start, in_end, in_cap; /* grows up to SOCKETWSEXT_INPUT_CAP */

  /* frame being parsed */
  int in_frame;
  unsigned opcode;
  int fin;
  int masked;
  unsigned char mask[4];
  size_t mask_off;
  uint64_t remaining;
  size_t pre_unmasked; /* bytes at in_start already unmasked (compressed path) */

  /* message being received */
  int in_message;
  unsigned msg_opcode;
  int msg_compressed;
  uint64_t msg_len;
  size_t msg_frames;
  int pending_end;
  SocketUTF8_State utf8;
  unsigned tail_fed; /* bytes of 00 00 ff ff given to inflate at the message end */

  /* output: out[out_start, out_start + out_len) */
  unsigned char *out;
  size_t out_start, out_len, out_cap;

  /* closing and errors */
  int close_sent, close_received, failed;
  int close_code;
  char close_reason[124];
  unsigned char ctrl[126];
  SocketWS_Error error;
  unsigned long pongs;

  /* streamed send */
  int send_open;
  unsigned send_opcode;
  int send_first;
  SocketUTF8_State send_utf8;

  /* mask keys, refilled from the crypto RNG in batches */
  unsigned char rnd[256];
  size_t rnd_pos;

  /* permessage-deflate */
  SocketWSExt_Deflate pmd;
  void *inflater; /* z_stream * */
  void *deflater; /* z_stream * */
  unsigned char *zout;  /* inflate output, SOCKETWS_INFLATE_CHUNK bytes */
  unsigned char *zsend; /* deflate output of the message being sent */
  size_t zsend_cap;

  /* whole-message assembly (SocketWSExt_next_message) */
  unsigned char *asm_buf;
  size_t asm_len, asm_cap;
  unsigned asm_opcode;
};

/* deflate side (SocketWS-deflate.c); all return 0 on success, -1 on failure */
int SocketWS__deflate_init (struct SocketWSExt_Codec *c);
void SocketWS__deflate_free (struct SocketWSExt_Codec *c);
/* inflate from in/in_len into c->zout; *used, *produced; *more 1 if output may be pending */
int SocketWS__inflate (struct SocketWSExt_Codec *c, const unsigned char *in, size_t in_len, size_t *used,
                       size_t *produced, int *more);
void SocketWS__inflate_end_message (struct SocketWSExt_Codec *c);
/* compress data into c->zsend (sync flush); *out_len; final strips the 00 00 ff ff tail */
int SocketWS__deflate (struct SocketWSExt_Codec *c, const unsigned char *data, size_t len, int final,
                       size_t *out_len);

/* Sec-WebSocket-Extensions value: a server's response for d, or (d NULL)
 * a client's offer from its config; length or -1 */
int SocketWS__deflate_format (char *buf, size_t cap, const SocketWSExt_Deflate *d, const SocketWS_Config *offer);

/* codec internals used by the connection */
int SocketWS__out_reserve (struct SocketWSExt_Codec *c, size_t n);

#endif /* SOCKETWS_PRIVATE_INCLUDED */
