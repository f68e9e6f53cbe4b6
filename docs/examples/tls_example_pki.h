/*
 * tls_example_pki.h - a throw-away PKI for the TLS examples, made with the
 * OpenSSL API in a temporary directory: a CA, leaf certificates signed by
 * it, an (empty) CRL and a DER OCSP response saying "good" for given
 * leaves. Example support code only; error handling is "return -1".
 */
#ifndef TLS_EXAMPLE_PKI_H
#define TLS_EXAMPLE_PKI_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

static char pki_dir[] = "/tmp/tls-example-XXXXXX";
static EVP_PKEY *pki_ca_key;
static X509 *pki_ca;

/* Path of @p file in the PKI directory (ring of 8 static buffers). */
static inline const char *
pki_path (const char *file)
{
  static char bufs[8][96];
  static unsigned next;
  char *b = bufs[next++ % 8];

  snprintf (b, sizeof bufs[0], "%s/%s", pki_dir, file);
  return b;
}

static inline int
pki_add_ext (X509 *x, X509 *issuer, int nid, const char *value)
{
  X509V3_CTX v3;
  X509_EXTENSION *ext;
  int ok;

  X509V3_set_ctx (&v3, issuer, x, NULL, NULL, 0);
  ext = X509V3_EXT_conf_nid (NULL, &v3, nid, value);
  ok = ext != NULL && X509_add_ext (x, ext, -1);
  X509_EXTENSION_free (ext);
  return ok;
}

/* A certificate for @p cn with @p key, signed by the CA (or itself). */
static inline X509 *
pki_cert (const char *cn, EVP_PKEY *key, long serial, int is_ca,
          const char *san)
{
  X509 *x = X509_new ();
  X509 *issuer = is_ca ? x : pki_ca;
  EVP_PKEY *signer = is_ca ? key : pki_ca_key;
  int ok = x != NULL && X509_set_version (x, 2)
           && ASN1_INTEGER_set (X509_get_serialNumber (x), serial)
           && X509_gmtime_adj (X509_getm_notBefore (x), -60)
           && X509_gmtime_adj (X509_getm_notAfter (x), 86400)
           && X509_NAME_add_entry_by_txt (X509_get_subject_name (x), "CN",
                                          MBSTRING_ASC,
                                          (const unsigned char *)cn, -1, -1, 0)
           && X509_set_issuer_name (x, X509_get_subject_name (issuer))
           && X509_set_pubkey (x, key)
           && pki_add_ext (x, issuer, NID_basic_constraints,
                           is_ca ? "critical,CA:TRUE" : "CA:FALSE")
           && (is_ca || pki_add_ext (x, issuer, NID_subject_alt_name, san))
           && X509_sign (x, signer, EVP_sha256 ()) > 0;

  if (!ok)
    {
      X509_free (x);
      return NULL;
    }
  return x;
}

static inline int
pki_write (const char *name, X509 *x, EVP_PKEY *key)
{
  char file[64];
  FILE *f;
  int ok;

  snprintf (file, sizeof file, "%s.crt", name);
  f = fopen (pki_path (file), "w");
  ok = f != NULL && PEM_write_X509 (f, x);
  if (f != NULL)
    fclose (f);
  if (!ok || key == NULL)
    return ok ? 0 : -1;
  snprintf (file, sizeof file, "%s.key", name);
  f = fopen (pki_path (file), "w");
  ok = f != NULL && PEM_write_PrivateKey (f, key, NULL, NULL, 0, NULL, NULL);
  if (f != NULL)
    fclose (f);
  return ok ? 0 : -1;
}

/** Make the directory and the CA ("ca.crt"). 0 on success. */
static inline int
pki_init (void)
{
  if (mkdtemp (pki_dir) == NULL)
    return -1;
  pki_ca_key = EVP_EC_gen ("P-256");
  pki_ca = pki_ca_key ? pki_cert ("Example CA", pki_ca_key, 1, 1, NULL) : NULL;
  return pki_ca != NULL ? pki_write ("ca", pki_ca, NULL) : -1;
}

/** Leaf "<name>.crt"/"<name>.key" for subjectAltName @p san; the
 *  certificate is returned (caller frees) for pki_ocsp(). */
static inline X509 *
pki_leaf (const char *name, const char *san, long serial)
{
  EVP_PKEY *key = EVP_EC_gen ("P-256");
  X509 *x = key ? pki_cert (name, key, serial, 0, san) : NULL;

  if (x != NULL && pki_write (name, x, key) != 0)
    {
      X509_free (x);
      x = NULL;
    }
  EVP_PKEY_free (key);
  return x;
}

/** An empty CRL of the CA as "crl.pem". 0 on success. */
static inline int
pki_crl (void)
{
  X509_CRL *crl = X509_CRL_new ();
  ASN1_TIME *now = ASN1_TIME_adj (NULL, time (NULL), 0, -60);
  ASN1_TIME *next = ASN1_TIME_adj (NULL, time (NULL), 1, 0);
  FILE *f = NULL;
  int ok = crl != NULL && now != NULL && next != NULL
           && X509_CRL_set_version (crl, 1)
           && X509_CRL_set_issuer_name (crl, X509_get_subject_name (pki_ca))
           && X509_CRL_set1_lastUpdate (crl, now)
           && X509_CRL_set1_nextUpdate (crl, next)
           && X509_CRL_sign (crl, pki_ca_key, EVP_sha256 ()) > 0
           && (f = fopen (pki_path ("crl.pem"), "w")) != NULL
           && PEM_write_X509_CRL (f, crl);

  if (f != NULL)
    fclose (f);
  ASN1_TIME_free (now);
  ASN1_TIME_free (next);
  X509_CRL_free (crl);
  return ok ? 0 : -1;
}

/** DER OCSP response (signed by the CA) with status "good" for each of
 *  @p certs; *len set. Caller frees with OPENSSL_free. */
static inline unsigned char *
pki_ocsp (X509 **certs, int n, int *len)
{
  OCSP_BASICRESP *bs = OCSP_BASICRESP_new ();
  ASN1_TIME *now = X509_gmtime_adj (NULL, -60);
  ASN1_TIME *next = X509_gmtime_adj (NULL, 3600);
  OCSP_RESPONSE *resp = NULL;
  unsigned char *der = NULL;
  int ok = bs != NULL && now != NULL && next != NULL;

  for (int i = 0; ok && i < n; i++)
    {
      OCSP_CERTID *id = OCSP_cert_to_id (NULL, certs[i], pki_ca);
      ok = id != NULL
           && OCSP_basic_add1_status (bs, id, V_OCSP_CERTSTATUS_GOOD, 0, NULL,
                                      now, next)
                  != NULL;
      OCSP_CERTID_free (id);
    }
  ok = ok && OCSP_basic_sign (bs, pki_ca, pki_ca_key, EVP_sha256 (), NULL, 0);
  resp = ok ? OCSP_response_create (OCSP_RESPONSE_STATUS_SUCCESSFUL, bs) : NULL;
  *len = resp ? i2d_OCSP_RESPONSE (resp, &der) : -1;
  OCSP_RESPONSE_free (resp);
  OCSP_BASICRESP_free (bs);
  ASN1_TIME_free (now);
  ASN1_TIME_free (next);
  return *len > 0 ? der : NULL;
}

/** Remove every file made and the directory. */
static inline void
pki_cleanup (const char *const *files)
{
  for (; *files != NULL; files++)
    unlink (pki_path (*files));
  rmdir (pki_dir);
  X509_free (pki_ca);
  EVP_PKEY_free (pki_ca_key);
}

#endif /* TLS_EXAMPLE_PKI_H */
