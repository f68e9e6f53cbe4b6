/*
 * SocketHTTPClient-readme.c - the README's spellings of the client API
 * (a response handle, a string method, setauth), built on the header
 * functions. See the "README forms" section of SocketHTTPClient.h.
 */
#include <stdlib.h>
#include <string.h>

#include "http/SocketHTTPClient-private.h"

int
SocketHTTPClient_Response_status (SocketHTTPClient_Response_T resp)
{
  return resp != NULL ? resp->status_code : 0;
}

const char *
SocketHTTPClient_Response_body (SocketHTTPClient_Response_T resp)
{
  return resp != NULL ? (const char *)resp->body : NULL;
}

size_t
SocketHTTPClient_Response_body_len (SocketHTTPClient_Response_T resp)
{
  return resp != NULL ? resp->body_len : 0;
}

void
SocketHTTPClient_Response_release (SocketHTTPClient_Response_T *resp)
{
  if (resp == NULL || *resp == NULL)
    return;
  (SocketHTTPClient_Response_free) (*resp);
  free (*resp);
  *resp = NULL;
}

/* Move a filled response struct to the heap (the struct's arena goes with it). */
static SocketHTTPClient_Response_T
to_handle (SocketHTTPClient_T client, SocketHTTPClient_Response *r)
{
  SocketHTTPClient_Response_T h = malloc (sizeof *h);

  if (h == NULL)
    {
      (SocketHTTPClient_Response_free) (r);
      if (client != NULL)
        client->last_error = HTTPCLIENT_ERROR_OUT_OF_MEMORY;
      return NULL;
    }
  *h = *r;
  return h;
}

SocketHTTPClient_Response_T
SocketHTTPClient_get_response (SocketHTTPClient_T client, const char *url)
{
  SocketHTTPClient_Response r;

  if ((SocketHTTPClient_get) (client, url, &r) < 0)
    return NULL;
  return to_handle (client, &r);
}

SocketHTTPClient_Response_T
SocketHTTPClient_Request_execute_response (SocketHTTPClient_Request_T req)
{
  SocketHTTPClient_Response r;

  if ((SocketHTTPClient_Request_execute) (req, &r) < 0)
    return NULL;
  return to_handle (req->client, &r);
}

SocketHTTPClient_Request_T
SocketHTTPClient_Request_new_str (SocketHTTPClient_T client, const char *method, const char *url)
{
  SocketHTTP_Method m;

  if (client == NULL || method == NULL)
    return NULL;
  m = SocketHTTP_method_parse (method, strlen (method));
  if (m == HTTP_METHOD_UNKNOWN)
    {
      client->last_error = HTTPCLIENT_ERROR_PROTOCOL;
      return NULL;
    }
  return (SocketHTTPClient_Request_new) (client, m, url);
}

void
SocketHTTPClient_setauth (SocketHTTPClient_T client, SocketHTTPClient_AuthType type, const char *user,
                          const char *pass)
{
  SocketHTTPClient_Auth auth;

  memset (&auth, 0, sizeof auth);
  auth.type = type;
  if (type == HTTP_AUTH_BEARER)
    auth.token = user;
  else
    {
      auth.username = user;
      auth.password = pass;
    }
  SocketHTTPClient_set_auth (client, &auth);
}
