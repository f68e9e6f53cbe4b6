/*
 * fuzz_tls_keys.h - fixed test credentials for the TLS handshake fuzzer and
 * its seed generator (a P-256 CA and a leaf for localhost, *.example.com
 * and 127.0.0.1, valid until 2125). Test material only, never trust it.
 * Generated once with the openssl CLI (seeds: fuzz_tls_handshake.c).
 */
#ifndef FUZZ_TLS_KEYS_H
#define FUZZ_TLS_KEYS_H

static const char fuzz_tls_ca_pem[] =
  "-----BEGIN CERTIFICATE-----\n"
  "MIIBnzCCAUWgAwIBAgIUMJuykn56Zfd4dZg7ES4WjgmxkXgwCgYIKoZIzj0EAwIw\n"
  "HDEaMBgGA1UEAwwRbGlic29ja2V0IGZ1enogQ0EwIBcNMjYxMTI1MjMwNjMxWhgP\n"
  "MjEyNjExMDEyMzA2MzFaMBwxGjAYBgNVBAMMEWxpYnNvY2tldCBmdXp6IENBMFkw\n"
  "EwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEOnC/pI+SK916hlNqnpMQStJwGt9j27gB\n"
  "5qXJGDg+8GKyEzAsNo1CeSHJLgHdF6Vwy5+2Ch+FWGTPMbX9wiMzDKNjMGEwHQYD\n"
  "VR0OBBYEFILX80wx+LYWmr+KSNXjex/MjGAVMB8GA1UdIwQYMBaAFILX80wx+LYW\n"
  "mr+KSNXjex/MjGAVMA8GA1UdEwEB/wQFMAMBAf8wDgYDVR0PAQH/BAQDAgEGMAoG\n"
  "CCqGSM49BAMCA0gAMEUCIQDbvoaPYavqxsoWeaAjIV6VfCmtdLbvEpHkhxxohLcX\n"
  "xgIgXk+mgLlxutpn+oj67TtYFQ6jcHvimkSWxYB/AgIHcxU=\n"
  "-----END CERTIFICATE-----\n";

static const char fuzz_tls_cert_pem[] =
  "-----BEGIN CERTIFICATE-----\n"
  "MIIBzDCCAXOgAwIBAgIUUjvgBnVswXmJkq2mIsoQC5SeSkkwCgYIKoZIzj0EAwIw\n"
  "HDEaMBgGA1UEAwwRbGlic29ja2V0IGZ1enogQ0EwIBcNMjYxMTI1MjMwNjMxWhgP\n"
  "MjEyNjExMDEyMzA2MzFaMBQxEjAQBgNVBAMMCWxvY2FsaG9zdDBZMBMGByqGSM49\n"
  "AgEGCCqGSM49AwEHA0IABGNBkHlqriTb/SDbLvlcnjtqd02fLeBtK2y0UbMUDHg0\n"
  "UBKoNqZQdgdWwCwifk2i1wl4oOZuRQwqndk9MhZFfeajgZgwgZUwKQYDVR0RBCIw\n"
  "IIIJbG9jYWxob3N0gg0qLmV4YW1wbGUuY29thwR/AAABMAkGA1UdEwQCMAAwHQYD\n"
  "VR0lBBYwFAYIKwYBBQUHAwEGCCsGAQUFBwMCMB0GA1UdDgQWBBTkgwwIw7GtlKGN\n"
  "YF7TpJMXV07D8TAfBgNVHSMEGDAWgBSC1/NMMfi2Fpq/ikjV43sfzIxgFTAKBggq\n"
  "hkjOPQQDAgNHADBEAiB/l3KUReuWNVh9Q+SMh/NbJIBwEE8PhjKiT2lwSJcGhwIg\n"
  "QojUctE0SqLjkDXbKFynbtBo2qho9ljeDv0HR4XjEMo=\n"
  "-----END CERTIFICATE-----\n";

static const char fuzz_tls_key_pem[] =
  "-----BEGIN PRIVATE KEY-----\n"
  "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg3lWzDy5QlWcJE+AH\n"
  "M5zSBsAYZ1GBT4h/tPhyvVLjNZihRANCAARjQZB5aq4k2/0g2y75XJ47andNny3g\n"
  "bStstFGzFAx4NFASqDamUHYHVsAsIn5NotcJeKDmbkUMKp3ZPTIWRX3m\n"
  "-----END PRIVATE KEY-----\n";

/* Session ticket key of the fuzzed server (name, HMAC, AES). */
static const unsigned char fuzz_tls_ticket_key[80] = {
  'l', 'i', 'b', 's', 'o', 'c', 'k', 'e', 't', '-', 'f', 'u', 'z', 'z', '0', '1',
};

#endif
