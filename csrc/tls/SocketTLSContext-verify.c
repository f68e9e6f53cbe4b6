/*
 * SocketTLSContext-verify.c - peer verification: verify modes, the
 * library's verify callback (user callback + pin enforcement), and CRL
 * loading / refreshing (RFC 5280 section 5).
 */
#ifdef SOCKET_HAS_TLS

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509_vfy.h>

#include "core/SocketUtil.h"
#include "tls/SocketTLS-private.h"

/* ------------------------------------------------------------------ */
/* Verify mode and callback                                           */
/* ------------------------------------------------------------------ */

void
SocketTLS__apply_verify (SocketTLSContext_T ctx)
{
  SSL_CTX_set_verify (ctx->ssl_ctx, ctx->verify_mode, SocketTLS__verify_cb);
}

void
SocketTLSContext_set_verify_mode (SocketTLSContext_T ctx, TLSVerifyMode mode)
{
  static const char op[] = "SocketTLSContext_set_verify_mode";
  const unsigned all = TLS_VERIFY_PEER | TLS_VERIFY_FAIL_IF_NO_PEER_CERT
                       | TLS_VERIFY_CLIENT_ONCE;

  SocketTLS__check_ctx (ctx, op);
  if (((unsigned)mode & ~all) != 0)
    TLS_RAISE (SocketTLS_Failed, "%s: invalid mode 0x%x", op, (unsigned)mode);
  /* As in the original, FAIL_IF_NO_PEER_CERT and CLIENT_ONCE alone imply
   * verification. Unlike it, OR-combined modes keep their meaning (the
   * original turns 3 into no verification) and unknown bits raise. */
  if (mode != TLS_VERIFY_NONE)
    mode |= TLS_VERIFY_PEER;
  ctx->verify_mode = (int)mode;
  SocketTLS__apply_verify (ctx);
}

void
SocketTLSContext_set_verify_callback (SocketTLSContext_T ctx,
                                      SocketTLSVerifyCallback callback,
                                      void *user_data)
{
  SocketTLS__check_ctx (ctx, "SocketTLSContext_set_verify_callback");
  ctx->verify_cb = callback;
  ctx->verify_ud = user_data;
  SocketTLS__apply_verify (ctx);
}

/* The user callback runs inside OpenSSL: an exception must not unwind
 * through it, so it is caught here and counts as a rejection. */
static int
call_user (SocketTLSContext_T ctx, SocketTLS_T t, int ok,
           X509_STORE_CTX *store)
{
  volatile int r = 0;

  TRY r = ctx->verify_cb (ok, store, ctx, t ? t->socket : NULL,
                          ctx->verify_ud);
  ELSE
  {
    r = 0;
    if (t != NULL)
      t->callback_failed = 1;
  }
  END_TRY;
  if (!r && ok)
    X509_STORE_CTX_set_error (store, X509_V_ERR_APPLICATION_VERIFICATION);
  return r != 0;
}

/* Remember which certificate failed, for the exception message. */
static void
note_failure (SocketTLS_T t, X509_STORE_CTX *store)
{
  X509 *cert = X509_STORE_CTX_get_current_cert (store);
  char subject[256] = "?";

  if (t == NULL || t->verify_detail[0] != '\0')
    return;
  if (cert != NULL)
    X509_NAME_oneline (X509_get_subject_name (cert), subject, sizeof subject);
  snprintf (t->verify_detail, sizeof t->verify_detail, "depth %d, subject %s",
            X509_STORE_CTX_get_error_depth (store), subject);
}

int
SocketTLS__verify_cb (int preverify_ok, X509_STORE_CTX *store)
{
  SSL *ssl = X509_STORE_CTX_get_ex_data (
      store, SSL_get_ex_data_X509_STORE_CTX_idx ());
  SocketTLSContext_T ctx = ssl ? SocketTLS__ctx_of (ssl) : NULL;
  SocketTLS_T t = ssl ? SocketTLS__conn_of (ssl) : NULL;
  int ok = preverify_ok;

  if (ctx == NULL)
    return ok;
  if (ctx->verify_cb != NULL)
    ok = call_user (ctx, t, ok, store);
  /* At depth 0 the chain is complete: enforce pins before the handshake
   * finishes, so the peer gets an alert rather than our silence. */
  if (ok && X509_STORE_CTX_get_error_depth (store) == 0 && ctx->pin_count > 0
      && ctx->pin_enforce
      && !SocketTLS__chain_pinned (ctx, X509_STORE_CTX_get0_chain (store)))
    {
      X509_STORE_CTX_set_error (store, X509_V_ERR_APPLICATION_VERIFICATION);
      if (t != NULL)
        t->pin_failed = 1;
      ok = 0;
    }
  if (!ok)
    note_failure (t, store);
  return ok;
}

/* ------------------------------------------------------------------ */
/* CRLs                                                               */
/* ------------------------------------------------------------------ */

/* Append the CRLs of one file (PEM, or a single DER CRL). @return count. */
static int
read_crl_file (const char *path, STACK_OF (X509_CRL) * out)
{
  BIO *bio = BIO_new_file (path, "rb");
  X509_CRL *crl;
  int n = 0;

  if (bio == NULL)
    return 0;
  while ((crl = PEM_read_bio_X509_CRL (bio, NULL, NULL, NULL)) != NULL)
    {
      if (!sk_X509_CRL_push (out, crl))
        {
          X509_CRL_free (crl);
          break;
        }
      n++;
    }
  if (n == 0 && BIO_reset (bio) == 0
      && (crl = d2i_X509_CRL_bio (bio, NULL)) != NULL)
    {
      if (sk_X509_CRL_push (out, crl))
        n++;
      else
        X509_CRL_free (crl);
    }
  BIO_free (bio);
  ERR_clear_error ();
  return n;
}

/* Every CRL of @p path (a file, or each regular file of a directory). */
static STACK_OF (X509_CRL) * read_crls (const char *path, const char *op)
{
  STACK_OF (X509_CRL) *crls;
  struct stat st;

  if (path == NULL || *path == '\0')
    TLS_RAISE (SocketTLS_Failed, "CRL path cannot be NULL or empty");
  SocketTLS__check_path (path, op);
  if (stat (path, &st) != 0)
    TLS_RAISE (SocketTLS_Failed, "Invalid CRL path '%s': %s", path,
               Socket_safe_strerror (errno));
  crls = sk_X509_CRL_new_null ();
  if (crls == NULL)
    TLS_RAISE (SocketTLS_Failed, "%s: out of memory", op);
  if (S_ISDIR (st.st_mode))
    {
      DIR *d = opendir (path);
      struct dirent *e;
      char file[SOCKET_TLS_MAX_PATH_LEN + 256 + 2];

      while (d != NULL && (e = readdir (d)) != NULL)
        {
          struct stat fst;
          if (e->d_name[0] == '.')
            continue;
          snprintf (file, sizeof file, "%s/%s", path, e->d_name);
          if (stat (file, &fst) == 0 && S_ISREG (fst.st_mode))
            read_crl_file (file, crls);
        }
      if (d != NULL)
        closedir (d);
    }
  else
    read_crl_file (path, crls);
  if (sk_X509_CRL_num (crls) == 0)
    {
      sk_X509_CRL_free (crls);
      TLS_RAISE (SocketTLS_Failed, "Failed to load CRL: no CRL found in '%s'",
               path);
    }
  return crls;
}

/* Add @p crls and turn on whole-chain CRL checking. 0, or -1 (queue set). */
static int
add_crls (SocketTLSContext_T ctx, STACK_OF (X509_CRL) * crls)
{
  X509_STORE *store = SSL_CTX_get_cert_store (ctx->ssl_ctx);

  for (int i = 0; i < sk_X509_CRL_num (crls); i++)
    if (X509_STORE_add_crl (store, sk_X509_CRL_value (crls, i)) != 1)
      return -1;
  X509_STORE_set_flags (store,
                        X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL);
  return 0;
}

void
SocketTLSContext_load_crl (SocketTLSContext_T ctx, const char *crl_path)
{
  static const char op[] = "SocketTLSContext_load_crl";
  STACK_OF (X509_CRL) * crls;
  int rc;

  SocketTLS__check_ctx (ctx, op);
  crls = read_crls (crl_path, op);
  rc = add_crls (ctx, crls);
  sk_X509_CRL_pop_free (crls, X509_CRL_free);
  if (rc != 0)
    TLS_RAISE_SSL (SocketTLS_Failed, "Failed to load CRL");
}

static int
in_set (X509_CRL *crl, STACK_OF (X509_CRL) * set)
{
  for (int i = 0; i < sk_X509_CRL_num (set); i++)
    if (X509_CRL_match (crl, sk_X509_CRL_value (set, i)) == 0)
      return 1;
  return 0;
}

/* Drop every stored CRL not in @p keep. Verifications in flight hold their
 * own references (X509_STORE_CTX_get1_crls), so removal is safe. */
static void
drop_other_crls (X509_STORE *store, STACK_OF (X509_CRL) * keep)
{
  STACK_OF (X509_OBJECT) * objs;

  X509_STORE_lock (store);
  objs = X509_STORE_get0_objects (store);
  for (int i = sk_X509_OBJECT_num (objs) - 1; i >= 0; i--)
    {
      X509_OBJECT *o = sk_X509_OBJECT_value (objs, i);
      if (X509_OBJECT_get_type (o) == X509_LU_CRL
          && !in_set (X509_OBJECT_get0_X509_CRL (o), keep))
        {
          (void)sk_X509_OBJECT_delete (objs, i);
          X509_OBJECT_free (o);
        }
    }
  X509_STORE_unlock (store);
}

void
SocketTLSContext_refresh_crl (SocketTLSContext_T ctx, const char *crl_path)
{
  static const char op[] = "SocketTLSContext_refresh_crl";
  STACK_OF (X509_CRL) * crls;
  int rc;

  SocketTLS__check_ctx (ctx, op);
  crls = read_crls (crl_path, op); /* parse first: a bad file changes nothing */
  pthread_mutex_lock (&ctx->lock);
  rc = add_crls (ctx, crls);
  if (rc == 0) /* old CRLs go only once all new ones are in */
    drop_other_crls (SSL_CTX_get_cert_store (ctx->ssl_ctx), crls);
  pthread_mutex_unlock (&ctx->lock);
  sk_X509_CRL_pop_free (crls, X509_CRL_free);
  if (rc != 0)
    TLS_RAISE_SSL (SocketTLS_Failed, "Failed to load CRL");
}

#endif /* SOCKET_HAS_TLS */
