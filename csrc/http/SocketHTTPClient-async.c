/*
 * SocketHTTPClient-async.c - asynchronous requests.
 *
 * An asynchronous request is a run (SocketHTTPClient.c) started at once:
 * its name lookup goes to the client's own resolver (poll mode), the
 * connect is non-blocking, and everything moves in
 * SocketHTTPClient_process(), which polls every pending run's descriptor
 * (the resolver's while looking up) in one poll() and steps them all. Callbacks
 * only ever run from process(), once per request, on the caller's thread;
 * a cancelled request gets HTTPCLIENT_ERROR_CANCELLED there.
 *
 * Ownership: a handle from SocketHTTPClient_Request_async() lives in its
 * builder and goes with SocketHTTPClient_Request_free(). Handles from
 * get_async/post_async own their builder; after the callback the builder
 * and response are released, and the small handle itself stays valid
 * (cancel on it is a no-op) until the client is freed.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "core/SocketUtil.h"
#include "http/SocketHTTPClient-private.h"

/* Handles made by get_async/post_async that already completed; freed with
 * the client so that a late cancel on them stays harmless. */
static void
retire (SocketHTTPClient_AsyncRequest_T a)
{
  SocketHTTPClient_T client = a->client;

  a->next = client->retired;
  client->retired = a;
}

static void
pending_unlink (SocketHTTPClient_AsyncRequest_T a)
{
  SocketHTTPClient_AsyncRequest_T *pp;

  for (pp = &a->client->pending; *pp != NULL; pp = &(*pp)->next)
    if (*pp == a)
      {
        *pp = a->next;
        a->next = NULL;
        return;
      }
}

static SocketHTTPClient_AsyncRequest_T
async_start (SocketHTTPClient_Request_T req, SocketHTTPClient_Callback callback, void *userdata)
{
  SocketHTTPClient_T client = req->client;
  SocketHTTPClient_AsyncRequest_T a;

  if (req->async != NULL) /* one asynchronous run per builder at a time */
    {
      if (!req->async->completed)
        return NULL;
      httpclient__async_detach (req->async);
    }
  a = calloc (1, sizeof *a);
  if (a == NULL)
    {
      client->last_error = HTTPCLIENT_ERROR_OUT_OF_MEMORY;
      return NULL;
    }
  a->client = client;
  a->req = req;
  a->callback = callback;
  a->userdata = userdata;
  req->async = a;
  httpclient__run_init (&a->run, req);
  a->run.async = a;
  a->started = 1;
  httpclient__run_start (&a->run); /* a failure finishes the run: reported from process() */
  a->next = client->pending;
  client->pending = a;
  return a;
}

SocketHTTPClient_AsyncRequest_T
SocketHTTPClient_Request_async (SocketHTTPClient_Request_T req, SocketHTTPClient_Callback callback,
                                void *userdata)
{
  if (req == NULL || callback == NULL)
    return NULL;
  return async_start (req, callback, userdata);
}

static SocketHTTPClient_AsyncRequest_T
owned_async (SocketHTTPClient_T client, SocketHTTP_Method method, const char *url,
             const char *content_type, const void *body, size_t body_len,
             SocketHTTPClient_Callback callback, void *userdata)
{
  SocketHTTPClient_Request_T req;
  SocketHTTPClient_AsyncRequest_T a;

  if (client == NULL || url == NULL || callback == NULL)
    return NULL;
  req = httpclient__request_new (client, method, url);
  if (req == NULL)
    return NULL;
  if ((content_type != NULL && SocketHTTPClient_Request_header (req, "Content-Type", content_type) < 0)
      || SocketHTTPClient_Request_body (req, body, body_len) < 0)
    {
      SocketHTTPClient_Request_free (&req);
      return NULL;
    }
  req->owned_by_async = 1;
  a = async_start (req, callback, userdata);
  if (a == NULL)
    SocketHTTPClient_Request_free (&req);
  return a;
}

SocketHTTPClient_AsyncRequest_T
SocketHTTPClient_get_async (SocketHTTPClient_T client, const char *url, SocketHTTPClient_Callback callback,
                            void *userdata)
{
  return owned_async (client, HTTP_METHOD_GET, url, NULL, NULL, 0, callback, userdata);
}

SocketHTTPClient_AsyncRequest_T
SocketHTTPClient_post_async (SocketHTTPClient_T client, const char *url, const char *content_type,
                             const void *body, size_t body_len, SocketHTTPClient_Callback callback,
                             void *userdata)
{
  return owned_async (client, HTTP_METHOD_POST, url, content_type, body, body_len, callback, userdata);
}

void
SocketHTTPClient_AsyncRequest_cancel (SocketHTTPClient_AsyncRequest_T a)
{
  if (a == NULL || a->completed || a->cancelled)
    return;
  a->cancelled = 1;
  httpclient__exchange_free (&a->run.ex); /* drops the connection */
  a->run.finished = 1;
  a->run.error = HTTPCLIENT_ERROR_CANCELLED;
}

/* Builder freed (or restarted): the handle goes too, without a callback. */
void
httpclient__async_detach (SocketHTTPClient_AsyncRequest_T a)
{
  if (a == NULL)
    return;
  if (!a->completed)
    pending_unlink (a);
  httpclient__run_cleanup (&a->run);
  if (a->req != NULL)
    a->req->async = NULL;
  if (a->in_callback) /* freed from its own callback: process() frees it */
    {
      a->req = NULL;
      a->detached = 1;
      return;
    }
  if (a->completed && a->req == NULL)
    return; /* retired: freed with the client */
  free (a);
}

void
httpclient__async_release_all (SocketHTTPClient_T client)
{
  while (client->pending != NULL)
    {
      SocketHTTPClient_AsyncRequest_T a = client->pending;
      client->pending = a->next;
      a->completed = 1;
      httpclient__run_cleanup (&a->run);
      if (a->req != NULL && a->req->owned_by_async)
        {
          a->req->async = NULL;
          SocketHTTPClient_Request_free (&a->req);
          free (a);
        }
      else if (a->req != NULL)
        a->req->async = a; /* stays with its builder (freed by Request_free) */
      else
        free (a);
    }
  while (client->retired != NULL)
    {
      SocketHTTPClient_AsyncRequest_T a = client->retired;
      client->retired = a->next;
      free (a);
    }
}

/* Run the callback of a finished request. */
static void
deliver (SocketHTTPClient_AsyncRequest_T a)
{
  SocketHTTPClient_Error err = a->cancelled ? HTTPCLIENT_ERROR_CANCELLED : a->run.error;
  SocketHTTPClient_Request_T req = a->req;

  pending_unlink (a);
  a->completed = 1;
  a->in_callback = 1;
  a->callback (a, err == HTTPCLIENT_OK ? &a->run.result : NULL, err, a->userdata);
  a->in_callback = 0;
  httpclient__run_cleanup (&a->run);
  if (a->detached) /* its builder was freed inside the callback */
    {
      free (a);
      return;
    }
  if (req != NULL && req->owned_by_async)
    {
      req->async = NULL;
      a->req = NULL;
      SocketHTTPClient_Request_free (&req);
      retire (a);
    }
}

static int
deliver_finished (SocketHTTPClient_T client)
{
  int count = 0;
  int again = 1;

  /* The list may change under a callback: rescan from the head each time. */
  while (again)
    {
      again = 0;
      for (SocketHTTPClient_AsyncRequest_T a = client->pending; a != NULL; a = a->next)
        if (a->run.finished)
          {
            deliver (a);
            count++;
            again = 1;
            break;
          }
    }
  return count;
}

/* One step for every pending run that does not need to wait. */
static void
step_all (SocketHTTPClient_T client, struct pollfd *pfds, SocketHTTPClient_AsyncRequest_T *owners,
          size_t n)
{
  int64_t now = Socket_get_monotonic_ms ();

  for (size_t i = 0; i < n; i++)
    {
      SocketHTTPClient_AsyncRequest_T a = owners[i];
      struct hc_exchange *ex = a->run.ex;
      int64_t deadline;

      if (a->run.finished || ex == NULL)
        continue;
      if (httpclient__exchange_step (ex, pfds != NULL ? (unsigned)pfds[i].revents : 0))
        {
          httpclient__run_exchange_done (&a->run);
          continue;
        }
      deadline = httpclient__exchange_deadline (ex);
      if (deadline > 0 && deadline <= now)
        {
          httpclient__exchange_timeout (ex);
          httpclient__run_exchange_done (&a->run);
        }
    }
  (void)client;
}

static size_t
count_pending (SocketHTTPClient_T client)
{
  size_t n = 0;
  for (SocketHTTPClient_AsyncRequest_T a = client->pending; a != NULL; a = a->next)
    n++;
  return n;
}

int
SocketHTTPClient_process (SocketHTTPClient_T client, int timeout_ms)
{
  int64_t end = timeout_ms > 0 ? Socket_get_monotonic_ms () + timeout_ms : 0;
  int completed = 0;

  if (client == NULL)
    return 0;
  httpclient__pool_expire (client);
  for (;;)
    {
      size_t n = count_pending (client), i = 0;
      struct pollfd *pfds;
      SocketHTTPClient_AsyncRequest_T *owners;
      int64_t now, wait_until = end;
      int wait, rc;

      completed += deliver_finished (client);
      if (completed > 0 || n == 0)
        return completed;
      pfds = calloc (n, sizeof *pfds);
      owners = calloc (n, sizeof *owners);
      if (pfds == NULL || owners == NULL)
        {
          free (pfds);
          free (owners);
          return completed;
        }
      for (SocketHTTPClient_AsyncRequest_T a = client->pending; a != NULL && i < n; a = a->next, i++)
        owners[i] = a;
      /* Progress that needs no waiting (fresh exchanges, buffered bytes). */
      step_all (client, NULL, owners, n);
      for (i = 0; i < n; i++)
        {
          SocketHTTPClient_AsyncRequest_T a = owners[i];
          unsigned events = 0;
          int64_t d = 0;
          pfds[i].fd = -1;
          if (!a->run.finished && a->run.ex != NULL)
            {
              pfds[i].fd = httpclient__exchange_pollfd (a->run.ex, &events);
              d = httpclient__exchange_deadline (a->run.ex);
            }
          else
            wait_until = Socket_get_monotonic_ms (); /* something finished: do not wait */
          pfds[i].events = (short)events;
          if (d > 0 && (wait_until == 0 || d < wait_until))
            wait_until = d;
        }
      now = Socket_get_monotonic_ms ();
      if (timeout_ms == 0)
        wait = 0;
      else if (wait_until == 0)
        wait = -1;
      else
        wait = wait_until <= now ? 0 : (wait_until - now > 1000000 ? 1000000 : (int)(wait_until - now));
      rc = poll (pfds, n, wait);
      if (rc > 0)
        step_all (client, pfds, owners, n);
      else
        step_all (client, NULL, owners, n); /* deadlines */
      free (pfds);
      free (owners);
      if (rc < 0 && errno != EINTR)
        return completed;
      completed += deliver_finished (client);
      if (completed > 0 || timeout_ms == 0 || (end > 0 && Socket_get_monotonic_ms () >= end))
        return completed;
    }
}
