/*
 * SocketIPTable.c - IP key canonicalisation, CIDR matching and the seeded
 * hash table behind SocketIPTracker and SocketSYNProtect.
 *
 * Bucket choice uses SipHash-2-4 keyed with 128 random bits per table, so a
 * remote peer cannot pick source addresses that pile into one chain (the
 * original's unkeyed djb2 over a fixed 1021 buckets could be flooded).
 * The table doubles when nodes outnumber buckets, keeping lookups O(1).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "core/SocketIPTable-private.h"

#define TAG_OTHER 0
#define TAG_V4 4
#define TAG_V6 6

size_t
SocketIP__key (const char *ip, SocketIP__Key *key)
{
  SocketIP__Addr a;
  size_t n;

  key->len = 0;
  if (ip == NULL || ip[0] == '\0')
    return 0;
  if (SocketIP__parse (ip, &a))
    {
      n = a.family == AF_INET ? 4 : 16;
      key->data[0] = a.family == AF_INET ? TAG_V4 : TAG_V6;
      memcpy (key->data + 1, a.bytes, n);
      key->len = n + 1;
      return key->len;
    }
  n = strnlen (ip, SOCKET_IP_MAX_LEN - 1);
  key->data[0] = TAG_OTHER;
  memcpy (key->data + 1, ip, n);
  key->len = n + 1;
  return key->len;
}

int
SocketIP__key_addr (const SocketIP__Key *key, SocketIP__Addr *out)
{
  if (key->len == 0 || key->data[0] == TAG_OTHER)
    return 0;
  memset (out, 0, sizeof *out);
  out->family = key->data[0] == TAG_V4 ? AF_INET : AF_INET6;
  memcpy (out->bytes, key->data + 1, key->len - 1);
  return 1;
}

void
SocketIP__key_text (const SocketIP__Key *key, char out[SOCKET_IP_MAX_LEN])
{
  SocketIP__Addr a;

  out[0] = '\0';
  if (key->len == 0)
    return;
  if (SocketIP__key_addr (key, &a))
    {
      if (inet_ntop (a.family, a.bytes, out, SOCKET_IP_MAX_LEN) == NULL)
        out[0] = '\0';
      return;
    }
  memcpy (out, key->data + 1, key->len - 1);
  out[key->len - 1] = '\0';
}

static const unsigned char v4mapped_prefix[12]
    = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

int
SocketIP__parse (const char *ip, SocketIP__Addr *out)
{
  char buf[SOCKET_IP_MAX_LEN];
  size_t n;

  if (ip == NULL)
    return 0;
  n = strnlen (ip, sizeof buf);
  if (n == 0 || n >= sizeof buf)
    return 0;
  memcpy (buf, ip, n + 1);
  memset (out, 0, sizeof *out);
  if (inet_pton (AF_INET, buf, out->bytes) == 1)
    {
      out->family = AF_INET;
      return 1;
    }
  if (inet_pton (AF_INET6, buf, out->bytes) == 1)
    {
      out->family = AF_INET6;
      if (memcmp (out->bytes, v4mapped_prefix, sizeof v4mapped_prefix) == 0)
        {
          memmove (out->bytes, out->bytes + 12, 4);
          memset (out->bytes + 4, 0, 12);
          out->family = AF_INET;
        }
      return 1;
    }
  return 0;
}

int
SocketIP__parse_cidr (const char *text, SocketIP__Cidr *out)
{
  char addr[SOCKET_IP_MAX_LEN];
  const char *slash, *p;
  int prefix = 0, max, mapped;
  size_t alen;
  unsigned char raw[16];

  if (text == NULL || (slash = strchr (text, '/')) == NULL)
    return 0;
  alen = (size_t)(slash - text);
  if (alen == 0 || alen >= sizeof addr)
    return 0;
  p = slash + 1;
  if (*p == '\0' || strnlen (p, 4) > 3)
    return 0;
  for (; *p; p++)
    {
      if (*p < '0' || *p > '9')
        return 0;
      prefix = prefix * 10 + (*p - '0');
    }
  memcpy (addr, text, alen);
  addr[alen] = '\0';
  memset (out, 0, sizeof *out);
  mapped = inet_pton (AF_INET6, addr, raw) == 1
           && memcmp (raw, v4mapped_prefix, sizeof v4mapped_prefix) == 0;
  if (!SocketIP__parse (addr, &out->net))
    return 0;
  if (mapped)
    {
      if (prefix < 96)
        return 0; /* wider than the mapped range: not an IPv4 block */
      prefix -= 96;
    }
  max = out->net.family == AF_INET ? 32 : 128;
  if (prefix > max)
    return 0;
  out->prefix = prefix;
  for (int bit = prefix; bit < max; bit++)
    out->net.bytes[bit / 8] &= (unsigned char)~(0x80u >> (bit % 8));
  return 1;
}

int
SocketIP__cidr_match (const SocketIP__Cidr *cidr, const SocketIP__Addr *addr)
{
  int full, rest;

  if (cidr->net.family != addr->family)
    return 0;
  full = cidr->prefix / 8;
  rest = cidr->prefix % 8;
  if (memcmp (cidr->net.bytes, addr->bytes, (size_t)full) != 0)
    return 0;
  if (rest == 0)
    return 1;
  unsigned char m = (unsigned char)(0xffu << (8 - rest));
  return (cidr->net.bytes[full] & m) == (addr->bytes[full] & m);
}

/* ---- SipHash-2-4 (Aumasson & Bernstein reference algorithm) ---------- */

#define ROTL(x, b) (uint64_t) (((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND                                                              \
  do                                                                          \
    {                                                                         \
      v0 += v1; v1 = ROTL (v1, 13); v1 ^= v0; v0 = ROTL (v0, 32);             \
      v2 += v3; v3 = ROTL (v3, 16); v3 ^= v2;                                 \
      v0 += v3; v3 = ROTL (v3, 21); v3 ^= v0;                                 \
      v2 += v1; v1 = ROTL (v1, 17); v1 ^= v2; v2 = ROTL (v2, 32);             \
    }                                                                         \
  while (0)

static uint64_t
load_le64 (const unsigned char *p)
{
  uint64_t v = 0;
  for (int i = 7; i >= 0; i--)
    v = (v << 8) | p[i];
  return v;
}

uint64_t
SocketIP__siphash (const void *data, size_t len, uint64_t k0, uint64_t k1)
{
  const unsigned char *in = data;
  uint64_t v0 = 0x736f6d6570736575ULL ^ k0, v1 = 0x646f72616e646f6dULL ^ k1;
  uint64_t v2 = 0x6c7967656e657261ULL ^ k0, v3 = 0x7465646279746573ULL ^ k1;
  uint64_t b = (uint64_t)len << 56, m;
  size_t i, blocks = len / 8;

  for (i = 0; i < blocks; i++)
    {
      m = load_le64 (in + i * 8);
      v3 ^= m;
      SIPROUND;
      SIPROUND;
      v0 ^= m;
    }
  for (i = 0; i < (len & 7); i++)
    b |= (uint64_t)in[blocks * 8 + i] << (8 * i);
  v3 ^= b;
  SIPROUND;
  SIPROUND;
  v0 ^= b;
  v2 ^= 0xff;
  SIPROUND;
  SIPROUND;
  SIPROUND;
  SIPROUND;
  return v0 ^ v1 ^ v2 ^ v3;
}

/* ---- table ------------------------------------------------------------ */

static void
random_seed (uint64_t seed[2])
{
  struct timespec ts;

  if (getrandom (seed, 2 * sizeof (uint64_t), GRND_NONBLOCK)
      == (ssize_t)(2 * sizeof (uint64_t)))
    return;
  /* No entropy yet (early boot): still unpredictable enough per process. */
  clock_gettime (CLOCK_MONOTONIC, &ts);
  seed[0] ^= (uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15ULL ^ (uint64_t)(uintptr_t)seed;
  clock_gettime (CLOCK_REALTIME, &ts);
  seed[1] ^= (uint64_t)ts.tv_sec * 0xbf58476d1ce4e5b9ULL ^ (uint64_t)ts.tv_nsec;
}

int
SocketIP__table_init (SocketIP__Table *t, size_t initial_buckets)
{
  uint64_t seed[2] = { 0, 0 };
  size_t n = 16;

  while (n < initial_buckets && n < ((size_t)1 << 30))
    n <<= 1;
  t->buckets = calloc (n, sizeof *t->buckets);
  if (t->buckets == NULL)
    return -1;
  t->mask = n - 1;
  t->count = 0;
  random_seed (seed);
  t->k0 = seed[0];
  t->k1 = seed[1];
  return 0;
}

void
SocketIP__table_destroy (SocketIP__Table *t)
{
  free (t->buckets);
  t->buckets = NULL;
  t->mask = 0;
  t->count = 0;
}

static uint64_t
key_hash (const SocketIP__Table *t, const SocketIP__Key *key)
{
  return SocketIP__siphash (key->data, key->len, t->k0, t->k1);
}

SocketIP__Node *
SocketIP__table_find (const SocketIP__Table *t, const SocketIP__Key *key)
{
  uint64_t h = key_hash (t, key);

  for (SocketIP__Node *n = t->buckets[h & t->mask]; n != NULL; n = n->next)
    if (n->hash == h && n->key.len == key->len
        && memcmp (n->key.data, key->data, key->len) == 0)
      return n;
  return NULL;
}

static void
grow (SocketIP__Table *t)
{
  size_t nb = (t->mask + 1) * 2;
  SocketIP__Node **nbk;

  if (nb > ((size_t)1 << 30) || (nbk = calloc (nb, sizeof *nbk)) == NULL)
    return; /* keep the old array: longer chains, nothing lost */
  for (size_t i = 0; i <= t->mask; i++)
    {
      SocketIP__Node *n = t->buckets[i], *next;
      for (; n != NULL; n = next)
        {
          next = n->next;
          n->next = nbk[n->hash & (nb - 1)];
          nbk[n->hash & (nb - 1)] = n;
        }
    }
  free (t->buckets);
  t->buckets = nbk;
  t->mask = nb - 1;
}

void
SocketIP__table_insert (SocketIP__Table *t, SocketIP__Node *node)
{
  SocketIP__Node **b;

  node->hash = key_hash (t, &node->key);
  if (t->count >= t->mask + 1)
    grow (t);
  b = &t->buckets[node->hash & t->mask];
  node->next = *b;
  *b = node;
  t->count++;
}

void
SocketIP__table_remove (SocketIP__Table *t, SocketIP__Node *node)
{
  SocketIP__Node **p = &t->buckets[node->hash & t->mask];

  for (; *p != NULL; p = &(*p)->next)
    if (*p == node)
      {
        *p = node->next;
        node->next = NULL;
        t->count--;
        return;
      }
}

void
SocketIP__table_clear (SocketIP__Table *t, void (*fn) (SocketIP__Node *, void *),
                       void *arg)
{
  for (size_t i = 0; i <= t->mask; i++)
    {
      SocketIP__Node *n = t->buckets[i], *next;
      t->buckets[i] = NULL;
      for (; n != NULL; n = next)
        {
          next = n->next;
          n->next = NULL;
          if (fn != NULL)
            fn (n, arg);
        }
    }
  t->count = 0;
}

size_t
SocketIP__table_remove_if (SocketIP__Table *t, int (*pred) (SocketIP__Node *, void *),
                           void (*dispose) (SocketIP__Node *, void *), void *arg)
{
  size_t removed = 0;

  for (size_t i = 0; i <= t->mask; i++)
    {
      SocketIP__Node **p = &t->buckets[i];
      while (*p != NULL)
        {
          SocketIP__Node *n = *p;
          if (!pred (n, arg))
            {
              p = &n->next;
              continue;
            }
          *p = n->next;
          n->next = NULL;
          t->count--;
          removed++;
          if (dispose != NULL)
            dispose (n, arg);
        }
    }
  return removed;
}

void
SocketIP__table_foreach (const SocketIP__Table *t,
                         void (*fn) (SocketIP__Node *, void *), void *arg)
{
  for (size_t i = 0; i <= t->mask; i++)
    for (SocketIP__Node *n = t->buckets[i]; n != NULL; n = n->next)
      fn (n, arg);
}
