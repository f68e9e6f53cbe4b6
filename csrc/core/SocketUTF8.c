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
const Except_T SocketUTF8_Failed = { &SocketUTF8_Failed, "UTF-8 operation failed" };


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
      if (byte >= 0xF5)
        return UTF8_TOO_LARGE;
      return UTF8_INVALID; /* stray continuation byte */
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
  if (len == 0)
    return UTF8_VALID;
  if (data == NULL)
    return UTF8_INVALID;
  return utf8_validate_from (&state, data, len, UTF8_DEFAULT_SIMD);
}

SocketUTF8_Result
SocketUTF8__validate_portable (const unsigned char *data, size_t len)
{
  uint32_t state = S_ACCEPT;
  if (len == 0)
    return UTF8_VALID;
  if (data == NULL)
    return UTF8_INVALID;
  return utf8_validate_from (&state, data, len, 0);
}

SocketUTF8_Result
SocketUTF8_validate_str (const char *str)
{
  if (str == NULL)
    return UTF8_INVALID;
  return SocketUTF8_validate ((const unsigned char *)str, strlen (str));
}

/* ===================================================================== */
/* Incremental validation                                                 */
/* ===================================================================== */

/* SocketUTF8_State.state holds a live DFA state (< STATE_FAILED) or,
 * once an error was seen, STATE_FAILED + the SocketUTF8_Result. */
#define STATE_FAILED 0x100u

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
  state->state = S_ACCEPT;
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
 * Records the partial sequence a chunk ended in, for callers that inspect
 * the state. Only called when the DFA ended inside a sequence, so the
 * chunk ends in at most two continuation bytes, preceded by the lead
 * unless the whole chunk continues a sequence begun in an earlier chunk.
 */
static void
track_partial_sequence (SocketUTF8_State *st, const unsigned char *data, size_t len)
{
  size_t trailing = 0;
  while (trailing < len && trailing < 3 && is_continuation (data[len - 1 - trailing]))
    trailing++;

  uint32_t cp = st->codepoint;
  size_t first_cont = 0;
  if (trailing < len)
    {
      unsigned char lead = data[len - 1 - trailing];
      int need = SocketUTF8_sequence_len (lead);
      st->bytes_needed = (uint8_t)need;
      st->bytes_seen = 1;
      cp = lead & (0x7Fu >> need);
      first_cont = len - trailing;
    }
  for (size_t i = first_cont; i < len; i++)
    {
      cp = (cp << 6) | (data[i] & 0x3Fu);
      st->bytes_seen++;
    }
  st->codepoint = cp;
}

SocketUTF8_Result
SocketUTF8_update (SocketUTF8_State *state, const unsigned char *data, size_t len)
{
  require_state (state, "SocketUTF8_update");
  if (state->state >= STATE_FAILED)
    return (SocketUTF8_Result)(state->state - STATE_FAILED);
  if (len == 0)
    return state->state == S_ACCEPT ? UTF8_VALID : UTF8_INCOMPLETE;

  uint32_t dfa = state->state;
  SocketUTF8_Result result
      = data == NULL ? UTF8_INVALID
                     : utf8_validate_from (&dfa, data, len, UTF8_DEFAULT_SIMD);
  switch (result)
    {
    case UTF8_VALID:
      state->state = S_ACCEPT;
      state->codepoint = 0;
      state->bytes_needed = state->bytes_seen = 0;
      break;
    case UTF8_INCOMPLETE:
      state->state = dfa;
      track_partial_sequence (state, data, len);
      break;
    default:
      state->state = STATE_FAILED + (uint32_t)result;
      break;
    }
  return result;
}

SocketUTF8_Result
SocketUTF8_finish (const SocketUTF8_State *state)
{
  require_state (state, "SocketUTF8_finish");
  if (state->state >= STATE_FAILED)
    return (SocketUTF8_Result)(state->state - STATE_FAILED);
  return state->state == S_ACCEPT ? UTF8_VALID : UTF8_INCOMPLETE;
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

/*
 * On an error, *consumed is the length of the maximal ill-formed prefix
 * (at least 1), so the byte that broke the sequence is examined again as a
 * possible lead: "E2 82 41" skips 2 bytes and then decodes 'A'. A
 * truncated sequence at the end reports UTF8_INCOMPLETE and consumes the
 * remaining bytes; empty input reports UTF8_INCOMPLETE and consumes 0.
 */
SocketUTF8_Result
SocketUTF8_decode (const unsigned char *data, size_t len, uint32_t *codepoint,
                   size_t *consumed)
{
  size_t used = 0;
  SocketUTF8_Result result;

  if (len == 0)
    result = UTF8_INCOMPLETE;
  else if (data == NULL)
    {
      result = UTF8_INVALID;
      used = 1;
    }
  else
    {
      size_t window = len < SOCKET_UTF8_MAX_BYTES ? len : SOCKET_UTF8_MAX_BYTES;
      size_t seq = data[0] < 0x80 ? 1 : (size_t)SocketUTF8_sequence_len (data[0]);
      uint32_t state = S_ACCEPT;
      size_t error_pos = 0;
      if (seq != 0 && seq < window)
        window = seq;
      result = utf8_scan_exact (&state, data, window, &error_pos);
      if (result == UTF8_VALID)
        {
          used = seq;
          if (codepoint)
            {
              uint32_t cp = data[0] & (seq == 1 ? 0x7Fu : 0x7Fu >> seq);
              for (size_t i = 1; i < seq; i++)
                cp = (cp << 6) | (data[i] & 0x3Fu);
              *codepoint = cp;
            }
        }
      else if (result == UTF8_INCOMPLETE)
        used = window;
      else
        used = error_pos > 0 ? error_pos : 1;
    }
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

SocketUTF8_Result
SocketUTF8_count_codepoints (const unsigned char *data, size_t len, size_t *count)
{
  SocketUTF8_Result result = SocketUTF8_validate (data, len);
  if (result == UTF8_VALID && count != NULL)
    *count = len == 0 ? 0 : count_lead_bytes (data, len);
  return result;
}

const char *
SocketUTF8_result_string (SocketUTF8_Result result)
{
  switch (result)
    {
    case UTF8_VALID:
      return "Valid UTF-8";
    case UTF8_INVALID:
      return "Invalid UTF-8 byte or sequence";
    case UTF8_INCOMPLETE:
      return "Incomplete UTF-8 sequence";
    case UTF8_OVERLONG:
      return "Overlong UTF-8 encoding";
    case UTF8_SURROGATE:
      return "UTF-16 surrogate encoded in UTF-8";
    case UTF8_TOO_LARGE:
      return "Code point above U+10FFFF";
    }
  return "Unknown UTF-8 result";
}
