/*
 * SocketUTF8.c - UTF-8 validation (RFC 3629), one-shot and incremental,
 * plus code point encode/decode.
 *
 * Design
 * ------
 * Validation is a shift-based DFA: every byte value maps to a 64-bit row
 * and the next state is `row >> state`, where a state is a bit offset
 * (a multiple of 6) and the row holds, at that offset, the 6-bit offset of
 * the successor. One byte therefore costs a single shift on the critical
 * path; the mask to 6 bits is folded into the shift on x86-64 and AArch64,
 * which take the count modulo 64 (the high garbage bits are never read).
 *
 * The DFA only knows "error", not which error. Errors are rare, so when a
 * block ends in the error state it is replayed byte by byte with
 * utf8_scan_exact(), which names the error from the (state, byte) pair
 * that failed. The verdict is always the first error in byte order, so
 * one-shot and incremental validation agree for any split of the input.
 *
 * ASCII runs are skipped 16/64 bytes at a time, with SSE2 when available
 * and with 8-byte words otherwise. Both paths are always compiled;
 * SOCKET_UTF8_NO_SIMD makes the public functions use the portable one, and
 * SocketUTF8__validate_portable() lets tests compare the two.
 */

#include <string.h>

#include "core/SocketUTF8.h"
#include "core/SocketUTF8-private.h"
#include "core/SocketUtil.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#define UTF8_HAVE_SSE2 1
#else
#define UTF8_HAVE_SSE2 0
#endif

#if UTF8_HAVE_SSE2 && !defined(SOCKET_UTF8_NO_SIMD)
#define UTF8_DEFAULT_SIMD 1
#else
#define UTF8_DEFAULT_SIMD 0
#endif

#define UTF8_ALWAYS_INLINE inline __attribute__ ((always_inline))

SOCKET_DECLARE_MODULE_EXCEPTION (SocketUTF8);
const Except_T SocketUTF8_Failed = { &SocketUTF8_Failed, "UTF-8 validation failed" };


/* ===================================================================== */
/* DFA                                                                    */
/* ===================================================================== */

/* States are bit offsets into a row. S_ACCEPT is 0 so that the public
 * SocketUTF8_State.state reads 0 on a sequence boundary, as documented. */
enum
{
  S_ACCEPT = 0,  /* on a boundary */
  S_CONT1 = 6,   /* one continuation byte (80..BF) to go */
  S_CONT2 = 12,  /* two to go */
  S_CONT3 = 18,  /* three to go */
  S_E0 = 24,     /* after E0: A0..BF, then one more (80..9F is overlong) */
  S_ED = 30,     /* after ED: 80..9F, then one more (A0..BF: surrogate) */
  S_F0 = 36,     /* after F0: 90..BF, then two more (80..8F is overlong) */
  S_F4 = 42,     /* after F4: 80..8F, then two more (90..BF: > U+10FFFF) */
  S_ERROR = 48   /* sticky */
};

#define STATE_MASK 63u

/* A row lists the successor of every live state, so no transition can be
 * forgotten; the error state always maps to itself. */
#define ROW(acc, c1, c2, c3, e0, ed, f0, f4)                                  \
  (((uint64_t)(acc) << S_ACCEPT) | ((uint64_t)(c1) << S_CONT1)                \
   | ((uint64_t)(c2) << S_CONT2) | ((uint64_t)(c3) << S_CONT3)                \
   | ((uint64_t)(e0) << S_E0) | ((uint64_t)(ed) << S_ED)                      \
   | ((uint64_t)(f0) << S_F0) | ((uint64_t)(f4) << S_F4)                      \
   | ((uint64_t)S_ERROR << S_ERROR))

#define E S_ERROR
#define ROW_ASCII ROW (S_ACCEPT, E, E, E, E, E, E, E)
#define ROW_CONT_80_8F ROW (E, S_ACCEPT, S_CONT1, S_CONT2, E, S_CONT1, E, S_CONT2)
#define ROW_CONT_90_9F ROW (E, S_ACCEPT, S_CONT1, S_CONT2, E, S_CONT1, S_CONT2, E)
#define ROW_CONT_A0_BF ROW (E, S_ACCEPT, S_CONT1, S_CONT2, S_CONT1, E, S_CONT2, E)
#define ROW_LEAD(next) ROW (next, E, E, E, E, E, E, E)
#define ROW_NEVER ROW (E, E, E, E, E, E, E, E)

static const uint64_t utf8_dfa[256] = {
  [0x00 ... 0x7F] = ROW_ASCII,
  [0x80 ... 0x8F] = ROW_CONT_80_8F,
  [0x90 ... 0x9F] = ROW_CONT_90_9F,
  [0xA0 ... 0xBF] = ROW_CONT_A0_BF,
  [0xC0 ... 0xC1] = ROW_NEVER, /* would encode U+0000..U+007F */
  [0xC2 ... 0xDF] = ROW_LEAD (S_CONT1),
  [0xE0] = ROW_LEAD (S_E0),
  [0xE1 ... 0xEC] = ROW_LEAD (S_CONT2),
  [0xED] = ROW_LEAD (S_ED),
  [0xEE ... 0xEF] = ROW_LEAD (S_CONT2),
  [0xF0] = ROW_LEAD (S_F0),
  [0xF1 ... 0xF3] = ROW_LEAD (S_CONT3),
  [0xF4] = ROW_LEAD (S_F4),
  [0xF5 ... 0xFF] = ROW_NEVER, /* > U+10FFFF, or 5/6-byte and FE/FF */
};

#undef E

static UTF8_ALWAYS_INLINE uint64_t
dfa_step (uint64_t state, unsigned char byte)
{
  return utf8_dfa[byte] >> (state & STATE_MASK);
}

/* Names the error when @p byte sends live state @p state to S_ERROR. */
static SocketUTF8_Result
error_kind (uint32_t state, unsigned char byte)
{
  switch (state)
    {
    case S_ACCEPT:
      if (byte == 0xC0 || byte == 0xC1)
        return UTF8_OVERLONG;
      return UTF8_INVALID; /* stray continuation byte, or F5..FF */
    case S_E0:
      return (byte >= 0x80 && byte <= 0x9F) ? UTF8_OVERLONG : UTF8_INVALID;
    case S_F0:
      return (byte >= 0x80 && byte <= 0x8F) ? UTF8_OVERLONG : UTF8_INVALID;
    case S_ED:
      return (byte >= 0xA0 && byte <= 0xBF) ? UTF8_SURROGATE : UTF8_INVALID;
    case S_F4:
      return (byte >= 0x90 && byte <= 0xBF) ? UTF8_TOO_LARGE : UTF8_INVALID;
    default:
      return UTF8_INVALID; /* a continuation byte was required */
    }
}

/*
 * Byte-at-a-time DFA that names the first error. Advances *state over
 * data[0..len); on error returns its kind, stores the offset of the
 * offending byte in *error_pos (if non-NULL) and leaves *state at the last
 * live state. Otherwise returns UTF8_VALID or UTF8_INCOMPLETE.
 */
static SocketUTF8_Result
utf8_scan_exact (uint32_t *state, const unsigned char *data, size_t len,
                 size_t *error_pos)
{
  uint32_t s = *state;
  for (size_t i = 0; i < len; i++)
    {
      uint32_t next = (uint32_t)(dfa_step (s, data[i]) & STATE_MASK);
      if (next == S_ERROR)
        {
          *state = s;
          if (error_pos)
            *error_pos = i;
          return error_kind (s, data[i]);
        }
      s = next;
    }
  *state = s;
  return s == S_ACCEPT ? UTF8_VALID : UTF8_INCOMPLETE;
}

/* ===================================================================== */
/* ASCII skipping                                                         */
/* ===================================================================== */

#define ASCII_HIGH_BITS 0x8080808080808080ull

/* Index of the first non-ASCII byte in data[i..len), or len. */
static UTF8_ALWAYS_INLINE size_t
ascii_skip_portable (const unsigned char *data, size_t i, size_t len)
{
  while (len - i >= 16)
    {
      uint64_t lo, hi;
      memcpy (&lo, data + i, 8);
      memcpy (&hi, data + i + 8, 8);
      if (((lo | hi) & ASCII_HIGH_BITS) != 0)
        {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
          if (lo & ASCII_HIGH_BITS)
            return i + (size_t)__builtin_ctzll (lo & ASCII_HIGH_BITS) / 8;
          return i + 8 + (size_t)__builtin_ctzll (hi & ASCII_HIGH_BITS) / 8;
#else
          break;
#endif
        }
      i += 16;
    }
  while (i < len && data[i] < 0x80)
    i++;
  return i;
}

#if UTF8_HAVE_SSE2
static UTF8_ALWAYS_INLINE size_t
ascii_skip_sse2 (const unsigned char *data, size_t i, size_t len)
{
  /* 64 bytes per test keeps long ASCII runs near load bandwidth. */
  while (len - i >= 64)
    {
      const __m128i *p = (const __m128i *)(const void *)(data + i);
      __m128i any = _mm_or_si128 (
          _mm_or_si128 (_mm_loadu_si128 (p), _mm_loadu_si128 (p + 1)),
          _mm_or_si128 (_mm_loadu_si128 (p + 2), _mm_loadu_si128 (p + 3)));
      if (_mm_movemask_epi8 (any) != 0)
        break;
      i += 64;
    }
  while (len - i >= 16)
    {
      int mask = _mm_movemask_epi8 (
          _mm_loadu_si128 ((const __m128i *)(const void *)(data + i)));
      if (mask != 0)
        return i + (size_t)__builtin_ctz ((unsigned)mask);
      i += 16;
    }
  while (i < len && data[i] < 0x80)
    i++;
  return i;
}
#endif

static UTF8_ALWAYS_INLINE size_t
ascii_skip (const unsigned char *data, size_t i, size_t len, int use_simd)
{
#if UTF8_HAVE_SSE2
  if (use_simd)
    return ascii_skip_sse2 (data, i, len);
#else
  (void)use_simd;
#endif
  return ascii_skip_portable (data, i, len);
}

/* ===================================================================== */
/* Fast scan                                                              */
/* ===================================================================== */

#define DFA_BLOCK 16

/* Where utf8_scan_fast() stopped: pos == len means the whole input was
 * consumed and state is the final (live) state; otherwise the first error
 * lies in the block starting at pos, entered in state. */
typedef struct
{
  size_t pos;
  uint32_t state;
} Utf8Scan;

#define DFA_STEP4(s, q, k)                                                    \
  do                                                                          \
    {                                                                         \
      (s) = dfa_step ((s), (q)[(k)]);                                         \
      (s) = dfa_step ((s), (q)[(k) + 1]);                                     \
      (s) = dfa_step ((s), (q)[(k) + 2]);                                     \
      (s) = dfa_step ((s), (q)[(k) + 3]);                                     \
    }                                                                         \
  while (0)

/* Runs the DFA from live state @p start over data[0..len). Only proves
 * validity; utf8_scan_exact() names errors. */
static UTF8_ALWAYS_INLINE Utf8Scan
utf8_scan_fast (uint32_t start, const unsigned char *data, size_t len,
                int use_simd)
{
  uint64_t s = start;
  size_t i = 0;

  while (i < len)
    {
      /* Try the ASCII skip only on a boundary before an ASCII byte: in
       * non-Latin text the attempt would mostly fail and cost a branch. */
      if ((s & STATE_MASK) == S_ACCEPT && data[i] < 0x80)
        {
          i = ascii_skip (data, i, len, use_simd);
          if (i == len)
            break;
        }
      uint64_t before = s;
      size_t end;
      if (len - i >= DFA_BLOCK)
        {
          const unsigned char *q = data + i;
          DFA_STEP4 (s, q, 0);
          DFA_STEP4 (s, q, 4);
          DFA_STEP4 (s, q, 8);
          DFA_STEP4 (s, q, 12);
          end = i + DFA_BLOCK;
        }
      else
        {
          for (end = i; end < len; end++)
            s = dfa_step (s, data[end]);
        }
      if ((s & STATE_MASK) == S_ERROR)
        return (Utf8Scan){ i, (uint32_t)(before & STATE_MASK) };
      i = end;
    }
  return (Utf8Scan){ len, (uint32_t)(s & STATE_MASK) };
}

/* Validates a chunk starting in live state *state; names the first error
 * and leaves *state at the last live state. */
static UTF8_ALWAYS_INLINE SocketUTF8_Result
utf8_validate_from (uint32_t *state, const unsigned char *data, size_t len,
                    int use_simd)
{
  Utf8Scan scan = utf8_scan_fast (*state, data, len, use_simd);
  *state = scan.state;
  if (scan.pos == len)
    return scan.state == S_ACCEPT ? UTF8_VALID : UTF8_INCOMPLETE;
  return utf8_scan_exact (state, data + scan.pos, len - scan.pos, NULL);
}

/* ===================================================================== */
/* One-shot validation                                                    */
/* ===================================================================== */

SocketUTF8_Result
SocketUTF8_validate (const unsigned char *data, size_t len)
{
  uint32_t state = S_ACCEPT;
  if (len == 0 || data == NULL)
    return UTF8_VALID;
  return utf8_validate_from (&state, data, len, UTF8_DEFAULT_SIMD);
}

SocketUTF8_Result
SocketUTF8__validate_portable (const unsigned char *data, size_t len)
{
  uint32_t state = S_ACCEPT;
  if (len == 0 || data == NULL)
    return UTF8_VALID;
  return utf8_validate_from (&state, data, len, 0);
}

SocketUTF8_Result
SocketUTF8_validate_str (const char *str)
{
  if (str == NULL)
    return UTF8_VALID;
  return SocketUTF8_validate ((const unsigned char *)str, strlen (str));
}

/* ===================================================================== */
/* Incremental validation                                                 */
/* ===================================================================== */

/*
 * Public encoding of SocketUTF8_State.state (as in the original library):
 * 0 on a boundary (also the zero-initialised state), 1 once an error was
 * seen, 2..8 inside a sequence. The seven live mid-sequence DFA states are
 * the multiples of 6 from S_CONT1 (6) to S_F4 (42), so they map to 2..8 by
 * dfa / 6 + 1.
 */
#define PUBLIC_FAILED 1u

static uint32_t
public_from_dfa (uint32_t dfa)
{
  return dfa == S_ACCEPT ? 0u : dfa / 6u + 1u;
}

static uint32_t
dfa_from_public (uint32_t pub)
{
  return pub == 0u ? S_ACCEPT : (pub - 1u) * 6u;
}

static void
require_state (const void *state, const char *function)
{
  if (state == NULL)
    SOCKET_RAISE_MSG (SocketUTF8, SocketUTF8_Failed, "%s: NULL state", function);
}

void
SocketUTF8_init (SocketUTF8_State *state)
{
  require_state (state, "SocketUTF8_init");
  memset (state, 0, sizeof (*state));
}

void
SocketUTF8_reset (SocketUTF8_State *state)
{
  require_state (state, "SocketUTF8_reset");
  SocketUTF8_init (state);
}

static int
is_continuation (unsigned char byte)
{
  return (byte & 0xC0) == 0x80;
}

/*
 * Records the length of the partial sequence a chunk ended in, for callers
 * that inspect the state (codepoint stays 0, as in the original). Only
 * called when the DFA ended inside a sequence, so the chunk ends in at most
 * two continuation bytes, preceded by the lead unless the whole chunk
 * continues a sequence begun in an earlier chunk.
 */
static void
track_partial_sequence (SocketUTF8_State *st, const unsigned char *data, size_t len)
{
  size_t trailing = 0;
  while (trailing < len && trailing < 3 && is_continuation (data[len - 1 - trailing]))
    trailing++;

  if (trailing < len)
    {
      st->bytes_needed = (uint8_t)SocketUTF8_sequence_len (data[len - 1 - trailing]);
      st->bytes_seen = 1;
    }
  st->bytes_seen = (uint8_t)(st->bytes_seen + trailing);
}

/* Status of a stream without feeding it anything. */
static SocketUTF8_Result
current_status (const SocketUTF8_State *state)
{
  if (state->state == PUBLIC_FAILED)
    return UTF8_INVALID;
  return state->state == 0 ? UTF8_VALID : UTF8_INCOMPLETE;
}

SocketUTF8_Result
SocketUTF8_update (SocketUTF8_State *state, const unsigned char *data, size_t len)
{
  require_state (state, "SocketUTF8_update");
  /* A failed stream reports UTF8_INVALID from then on; no input (NULL or
   * empty) reports the current status unchanged. */
  if (state->state == PUBLIC_FAILED || data == NULL || len == 0)
    return current_status (state);

  uint32_t dfa = dfa_from_public (state->state);
  SocketUTF8_Result result = utf8_validate_from (&dfa, data, len, UTF8_DEFAULT_SIMD);
  switch (result)
    {
    case UTF8_VALID:
      state->state = 0;
      state->codepoint = 0;
      state->bytes_needed = state->bytes_seen = 0;
      break;
    case UTF8_INCOMPLETE:
      state->state = public_from_dfa (dfa);
      track_partial_sequence (state, data, len);
      break;
    default:
      state->state = PUBLIC_FAILED;
      break;
    }
  return result;
}

SocketUTF8_Result
SocketUTF8_finish (const SocketUTF8_State *state)
{
  require_state (state, "SocketUTF8_finish");
  return current_status (state);
}

/* ===================================================================== */
/* Code points                                                            */
/* ===================================================================== */

int
SocketUTF8_codepoint_len (uint32_t codepoint)
{
  if (codepoint < 0x80)
    return 1;
  if (codepoint < 0x800)
    return 2;
  if (codepoint >= SOCKET_UTF8_SURROGATE_MIN && codepoint <= SOCKET_UTF8_SURROGATE_MAX)
    return 0;
  if (codepoint < 0x10000)
    return 3;
  if (codepoint <= SOCKET_UTF8_MAX_CODEPOINT)
    return 4;
  return 0;
}

int
SocketUTF8_sequence_len (unsigned char first_byte)
{
  if (first_byte < 0x80)
    return 1;
  if (first_byte < 0xC2) /* continuation, or overlong C0/C1 */
    return 0;
  if (first_byte < 0xE0)
    return 2;
  if (first_byte < 0xF0)
    return 3;
  if (first_byte <= 0xF4)
    return 4;
  return 0;
}

int
SocketUTF8_encode (uint32_t codepoint, unsigned char *output)
{
  int len = SocketUTF8_codepoint_len (codepoint);
  if (output == NULL || len == 0)
    return 0;
  switch (len)
    {
    case 1:
      output[0] = (unsigned char)codepoint;
      break;
    case 2:
      output[0] = (unsigned char)(0xC0 | (codepoint >> 6));
      output[1] = (unsigned char)(0x80 | (codepoint & 0x3F));
      break;
    case 3:
      output[0] = (unsigned char)(0xE0 | (codepoint >> 12));
      output[1] = (unsigned char)(0x80 | ((codepoint >> 6) & 0x3F));
      output[2] = (unsigned char)(0x80 | (codepoint & 0x3F));
      break;
    default:
      output[0] = (unsigned char)(0xF0 | (codepoint >> 18));
      output[1] = (unsigned char)(0x80 | ((codepoint >> 12) & 0x3F));
      output[2] = (unsigned char)(0x80 | ((codepoint >> 6) & 0x3F));
      output[3] = (unsigned char)(0x80 | (codepoint & 0x3F));
      break;
    }
  return len;
}

/* Smallest code point that needs a sequence of length 1..4. */
static const uint32_t min_codepoint[SOCKET_UTF8_MAX_BYTES + 1] = { 0, 0, 0x80, 0x800, 0x10000 };

/*
 * Decodes as the original library does: the lead byte fixes the length;
 * a sequence longer than the input is UTF8_INCOMPLETE without looking at
 * the bytes present; otherwise the continuation bytes are checked and the
 * value is classified (overlong, surrogate, too large) over the whole
 * sequence, so *consumed is the full sequence length for those.
 */
SocketUTF8_Result
SocketUTF8_decode (const unsigned char *data, size_t len, uint32_t *codepoint,
                   size_t *consumed)
{
  size_t used, seq;
  SocketUTF8_Result result = UTF8_VALID;
  uint32_t cp;

  if (data == NULL || len == 0)
    {
      used = 0;
      result = UTF8_INCOMPLETE;
      goto out;
    }
  seq = (size_t)SocketUTF8_sequence_len (data[0]);
  if (seq == 0)
    {
      used = 1;
      result = (data[0] == 0xC0 || data[0] == 0xC1) ? UTF8_OVERLONG : UTF8_INVALID;
      goto out;
    }
  if (len < seq)
    {
      used = len;
      result = UTF8_INCOMPLETE;
      goto out;
    }
  cp = seq == 1 ? data[0] : data[0] & (0x7Fu >> seq);
  for (used = 1; used < seq; used++)
    {
      if (!is_continuation (data[used]))
        {
          result = UTF8_INVALID;
          goto out;
        }
      cp = (cp << 6) | (data[used] & 0x3Fu);
    }
  if (cp < min_codepoint[seq])
    result = UTF8_OVERLONG;
  else if (cp >= SOCKET_UTF8_SURROGATE_MIN && cp <= SOCKET_UTF8_SURROGATE_MAX)
    result = UTF8_SURROGATE;
  else if (cp > SOCKET_UTF8_MAX_CODEPOINT)
    result = UTF8_TOO_LARGE;
  else if (codepoint != NULL)
    *codepoint = cp;
out:
  if (consumed)
    *consumed = used;
  return result;
}

/* Counts bytes that start a code point (anything but 10xxxxxx). */
static size_t
count_lead_bytes (const unsigned char *data, size_t len)
{
  size_t count = 0;
  for (size_t i = 0; i < len; i++)
    count += (data[i] & 0xC0) != 0x80;
  return count;
}

/*
 * Valid input (the common case) is validated by the fast scanner and its
 * lead bytes counted. Otherwise the verdict is the first non-VALID result
 * of decoding code point by code point, as in the original: it may differ
 * from SocketUTF8_validate() for a broken final sequence ("E0 41" is
 * UTF8_INCOMPLETE here, UTF8_INVALID there).
 */
SocketUTF8_Result
SocketUTF8_count_codepoints (const unsigned char *data, size_t len, size_t *count)
{
  size_t pos = 0, used = 0;
  SocketUTF8_Result result;

  if (count != NULL)
    *count = 0;
  if (data == NULL || len == 0)
    return UTF8_VALID;
  if (SocketUTF8_validate (data, len) == UTF8_VALID)
    {
      if (count != NULL)
        *count = count_lead_bytes (data, len);
      return UTF8_VALID;
    }
  do
    {
      result = SocketUTF8_decode (data + pos, len - pos, NULL, &used);
      pos += used;
    }
  while (result == UTF8_VALID && pos < len);
  /* Unreachable in practice: validate() found an error that decode did not. */
  return result == UTF8_VALID ? UTF8_INVALID : result;
}

const char *
SocketUTF8_result_string (SocketUTF8_Result result)
{
  switch (result)
    {
    case UTF8_VALID:
      return "Valid UTF-8";
    case UTF8_INVALID:
      return "Invalid byte sequence";
    case UTF8_INCOMPLETE:
      return "Incomplete sequence (needs more bytes)";
    case UTF8_OVERLONG:
      return "Overlong encoding (security issue)";
    case UTF8_SURROGATE:
      return "UTF-16 surrogate (U+D800-U+DFFF)";
    case UTF8_TOO_LARGE:
      return "Code point exceeds U+10FFFF";
    }
  return "Unknown result code";
}
