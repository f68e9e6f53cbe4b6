/*
 * SocketIPTable-private.h - shared by SocketIPTracker and SocketSYNProtect:
 * IP key canonicalisation, CIDR parsing/matching and a seeded (SipHash-2-4)
 * chained hash table of caller-owned nodes that grows to keep chains short.
 *
 * Not thread-safe: the owning module holds its own mutex around every call.
 */
#ifndef SOCKETIPTABLE_PRIVATE_INCLUDED
#define SOCKETIPTABLE_PRIVATE_INCLUDED

#include <stddef.h>
#include <stdint.h>

#include "core/SocketConfig.h"

/**
 * A key in compact binary form, so lookups never format text: a tag byte
 * (4 = IPv4, 6 = IPv6, 0 = other string) followed by the 4 or 16 address
 * bytes, or by the string's first 63 bytes.
 */
typedef struct SocketIP__Key
{
  unsigned char data[SOCKET_IP_MAX_LEN + 1];
  size_t len; /* 0 = no key (NULL or "") */
} SocketIP__Key;

/**
 * Fill @p key from @p ip. Addresses inet_pton() accepts are stored as
 * their bytes (IPv4-mapped IPv6 as IPv4), so "::1" and "0::1" are one key.
 * Anything else is kept byte-for-byte, cut to 63 bytes.
 * @return key->len (0 for NULL or "").
 */
size_t SocketIP__key (const char *ip, SocketIP__Key *key);

/** Canonical text of @p key (inet_ntop form, or the stored string); "" for no key. */
void SocketIP__key_text (const SocketIP__Key *key, char out[SOCKET_IP_MAX_LEN]);

/** Parsed address: family AF_INET (4 bytes used) or AF_INET6 (16). */
typedef struct SocketIP__Addr
{
  int family;
  unsigned char bytes[16];
} SocketIP__Addr;

/** Parse a literal IPv4/IPv6 address (v4-mapped v6 becomes v4). @return 1 or 0. */
int SocketIP__parse (const char *ip, SocketIP__Addr *out);

/** The address of an address key. @return 1, or 0 for a string key. */
int SocketIP__key_addr (const SocketIP__Key *key, SocketIP__Addr *out);

/** A CIDR block; bits beyond @c prefix are zeroed. */
typedef struct SocketIP__Cidr
{
  SocketIP__Addr net;
  int prefix; /* 0..32 for AF_INET, 0..128 for AF_INET6 */
} SocketIP__Cidr;

/**
 * Parse "addr/prefix": addr a literal address, prefix 1-3 decimal digits
 * within the family's width (v4-mapped v6 "::ffff:a.b.c.d/n" needs n >= 96
 * and becomes the IPv4 block /(n-96)). @return 1 or 0 (malformed).
 */
int SocketIP__parse_cidr (const char *text, SocketIP__Cidr *out);

/** @return 1 if @p addr lies in @p cidr (same family, first prefix bits). */
int SocketIP__cidr_match (const SocketIP__Cidr *cidr, const SocketIP__Addr *addr);

/** SipHash-2-4 of @p len bytes under the 128-bit key (k0, k1). */
uint64_t SocketIP__siphash (const void *data, size_t len, uint64_t k0, uint64_t k1);

/** Embedded first in a caller's entry struct. */
typedef struct SocketIP__Node
{
  struct SocketIP__Node *next;
  uint64_t hash;
  SocketIP__Key key;
} SocketIP__Node;

typedef struct SocketIP__Table
{
  SocketIP__Node **buckets;
  size_t mask;  /* bucket count - 1 (power of two) */
  size_t count; /* nodes linked */
  uint64_t k0, k1;
} SocketIP__Table;

/** Allocate buckets and draw a random seed. @return 0, or -1 on malloc failure. */
int SocketIP__table_init (SocketIP__Table *t, size_t initial_buckets);

/** Free the bucket array (not the nodes). */
void SocketIP__table_destroy (SocketIP__Table *t);

/** Find the node whose key equals @p key, or NULL. */
SocketIP__Node *SocketIP__table_find (const SocketIP__Table *t, const SocketIP__Key *key);

/**
 * Link @p node (its key already set; must not be present). Grows the bucket
 * array when the load exceeds 1; if that allocation fails the node is still
 * linked (longer chains, never lost).
 */
void SocketIP__table_insert (SocketIP__Table *t, SocketIP__Node *node);

/** Unlink @p node (must be linked). */
void SocketIP__table_remove (SocketIP__Table *t, SocketIP__Node *node);

/**
 * Unlink every node, calling @p fn (may be NULL) on each after unlinking;
 * fn may free the node.
 */
void SocketIP__table_clear (SocketIP__Table *t, void (*fn) (SocketIP__Node *, void *),
                            void *arg);

/**
 * Unlink every node for which @p pred returns non-zero, then pass it to
 * @p dispose (may free it). @return the number removed.
 */
size_t SocketIP__table_remove_if (SocketIP__Table *t, int (*pred) (SocketIP__Node *, void *),
                                  void (*dispose) (SocketIP__Node *, void *), void *arg);

/** Visit every node (fn must not unlink). */
void SocketIP__table_foreach (const SocketIP__Table *t,
                              void (*fn) (SocketIP__Node *, void *), void *arg);

#endif
