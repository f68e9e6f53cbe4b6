/*
 * bench_poll.c - SocketTimer add+cancel throughput, SocketPoll_wait cost
 * with 10,000 idle descriptors and one active, and a 1-thread echo server
 * on SocketPoll vs the same server on libevent under one client load.
 *
 * Build by hand (not part of the library or ctest):
 *   gcc -O2 -std=gnu11 -D_GNU_SOURCE -Iinclude -Icsrc tests/bench/bench_poll.c \
 *       build/libsocket.a -lcrypto -lpthread -o bench_poll
 * and with the libevent comparison (Debian: apt-get install libevent-dev):
 *   ... -DBENCH_WITH_LIBEVENT tests/bench/bench_poll.c build/libsocket.a \
 *       -levent_core -lcrypto -lpthread -o bench_poll
 * libevent is only ever linked into this benchmark, never into libsocket.
 *
 * Echo load: CONNS loopback connections, each with one 64-byte request in
 * flight, driven by a client thread on raw epoll; the server runs in the
 * main thread for SECONDS. Both servers use one thread and level-triggered
 * readiness; ours goes through Socket_recv/Socket_send (the product),
 * libevent's through recv/send (its product is the loop).
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/SocketTimer.h"
#include "core/SocketUtil.h"
#include "poll/SocketPoll-private.h"
#include "poll/SocketPoll.h"
#include "socket/Socket.h"

#ifdef BENCH_WITH_LIBEVENT
#include <event2/event.h>
#endif

#define MSG 64
#define CONNS 64
#define SECONDS 3

static double
now_s (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
noop_cb (void *ud)
{
  (void)ud;
}

/* ---- timers ------------------------------------------------------------- */

static void
bench_timers (void)
{
  enum
  {
    N = 2000000,
    BACKGROUND = 10000
  };
  SocketPoll_T poll = SocketPoll_new (16);
  unsigned seed = 1;
  double t0, dt;

  for (int pass = 0; pass < 2; pass++)
    {
      if (pass == 1)
        for (int i = 0; i < BACKGROUND; i++)
          SocketTimer_add (poll, 1000 + rand_r (&seed) % 200000, noop_cb,
                           NULL);
      t0 = now_s ();
      for (int i = 0; i < N; i++)
        {
          SocketTimer_T t = SocketTimer_add (poll, rand_r (&seed) % 300000,
                                             noop_cb, NULL);
          if (SocketTimer_cancel (poll, t) != 0)
            abort ();
        }
      dt = now_s () - t0;
      printf ("timer add+cancel (%5d timers in heap): %.2f M pairs/s "
              "(%.0f ns/pair)\n",
              pass ? BACKGROUND : 0, N / dt / 1e6, dt / N * 1e9);
    }
  SocketPoll_free (&poll);
}

/* ---- wait cost: 10k idle + 1 active ------------------------------------- */

static void
bench_wait (void)
{
  enum
  {
    IDLE_PAIRS = 5000, /* both ends registered: 10,000 idle fds */
    WAITS = 200000
  };
  static Socket_T a[IDLE_PAIRS], b[IDLE_PAIRS];
  Socket_T x, y;
  SocketPoll_T poll = SocketPoll_new (64);
  SocketEvent_T *ev;
  double t0, dt;

  for (int i = 0; i < IDLE_PAIRS; i++)
    {
      SocketPair_new (SOCK_STREAM, &a[i], &b[i]);
      SocketPoll_add (poll, a[i], POLL_READ, NULL);
      SocketPoll_add (poll, b[i], POLL_READ, NULL);
    }
  SocketPair_new (SOCK_STREAM, &x, &y);
  Socket_send (y, "!", 1); /* x stays readable: level-triggered */
  SocketPoll_add (poll, x, POLL_READ, NULL);
  t0 = now_s ();
  for (int i = 0; i < WAITS; i++)
    if (SocketPoll_wait (poll, &ev, 0) != 1)
      abort ();
  dt = now_s () - t0;
  printf ("SocketPoll_wait, 10000 idle + 1 active (%s): %.0f ns/wait\n",
          SocketPoll__backend_name (), dt / WAITS * 1e9);
  for (int i = 0; i < IDLE_PAIRS; i++)
    {
      Socket_free (&a[i]);
      Socket_free (&b[i]);
    }
  Socket_free (&x);
  Socket_free (&y);
  SocketPoll_free (&poll);
}

/* ---- echo load ------------------------------------------------------------ */

static atomic_int client_stop;
static atomic_long round_trips;
static int server_port;

static void *
client_main (void *arg)
{
  int ep = epoll_create1 (0), fds[CONNS];
  char buf[MSG];
  struct sockaddr_in sa = { .sin_family = AF_INET };

  (void)arg;
  memset (buf, 'x', sizeof buf);
  sa.sin_port = htons ((uint16_t)server_port);
  sa.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  for (int i = 0; i < CONNS; i++)
    {
      struct epoll_event e = { .events = EPOLLIN, .data.u32 = (uint32_t)i };
      int one = 1;
      fds[i] = socket (AF_INET, SOCK_STREAM, 0);
      if (connect (fds[i], (struct sockaddr *)&sa, sizeof sa) < 0)
        abort ();
      setsockopt (fds[i], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      epoll_ctl (ep, EPOLL_CTL_ADD, fds[i], &e);
      send (fds[i], buf, MSG, 0);
    }
  while (!atomic_load (&client_stop))
    {
      struct epoll_event ev[CONNS];
      int n = epoll_wait (ep, ev, CONNS, 50);
      for (int i = 0; i < n; i++)
        {
          int fd = fds[ev[i].data.u32];
          /* 64-byte messages on loopback arrive whole. */
          if (recv (fd, buf, MSG, MSG_WAITALL) == MSG)
            {
              atomic_fetch_add_explicit (&round_trips, 1,
                                         memory_order_relaxed);
              send (fd, buf, MSG, 0);
            }
        }
    }
  for (int i = 0; i < CONNS; i++)
    close (fds[i]);
  close (ep);
  return NULL;
}

static Socket_T
listener (void)
{
  Socket_T l = Socket_new (AF_INET, SOCK_STREAM, 0);

  Socket_setreuseaddr (l);
  Socket_bind (l, "127.0.0.1", 0);
  Socket_listen (l, 128);
  server_port = Socket_getlocalport (l);
  return l;
}

static double
thread_cpu_s (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Server CPU seconds of the last measured window: requests per CPU second
 * is steadier than requests/s on a shared machine. */
static double last_cpu;

static double
run_load (void (*serve) (Socket_T, double), const char *name)
{
  Socket_T l = listener ();
  pthread_t th;
  long before, done;
  double rate, cpu0;

  atomic_store (&client_stop, 0);
  atomic_store (&round_trips, 0);
  pthread_create (&th, NULL, client_main, NULL);
  serve (l, 0.5); /* warm-up: connections accepted, caches hot */
  before = atomic_load (&round_trips);
  cpu0 = thread_cpu_s ();
  serve (l, SECONDS);
  last_cpu = thread_cpu_s () - cpu0;
  done = atomic_load (&round_trips) - before;
  rate = (double)done / SECONDS;
  atomic_store (&client_stop, 1);
  serve (l, 0.2); /* let the client finish its last exchange */
  pthread_join (th, NULL);
  Socket_free (&l);
  printf ("echo %-12s %9.0f requests/s, %6.2f us server CPU/request "
          "(%d conns, 1 server thread)\n",
          name, rate, last_cpu / (double)done * 1e6, CONNS);
  last_cpu = (double)done / last_cpu; /* requests per CPU second */
  return rate;
}

/* SocketPoll server; state persists across calls of one load run. */
static SocketPoll_T sp_poll;
static Socket_T sp_conns[CONNS + 1];
static int sp_nconns;

/* recv, -1 at EOF (the TRY lives in its own frame: no clobbered locals). */
static ssize_t
recv_or_eof (Socket_T s, char *buf, size_t len)
{
  volatile ssize_t r = 0;

  TRY r = Socket_recv (s, buf, len);
  EXCEPT (Socket_Closed) r = -1;
  END_TRY;
  return r;
}

static void
socketpoll_serve (Socket_T l, double seconds)
{
  double end = now_s () + seconds;
  SocketEvent_T *ev;
  char buf[MSG];

  if (sp_poll == NULL)
    {
      sp_poll = SocketPoll_new (256);
      Socket_setnonblocking (l);
      SocketPoll_add (sp_poll, l, POLL_READ, NULL);
    }
  while (now_s () < end)
    {
      int n = SocketPoll_wait (sp_poll, &ev, 10);
      for (int i = 0; i < n; i++)
        {
          if (ev[i].data == NULL)
            {
              Socket_T c;
              while ((c = Socket_accept (l)) != NULL && sp_nconns < CONNS)
                {
                  Socket_setnonblocking (c);
                  Socket_setnodelay (c, 1);
                  sp_conns[sp_nconns++] = c;
                  SocketPoll_add (sp_poll, c, POLL_READ, c);
                }
              continue;
            }
          ssize_t r = recv_or_eof (ev[i].socket, buf, sizeof buf);
          if (r > 0)
            Socket_send (ev[i].socket, buf, (size_t)r);
          else if (r < 0)
            SocketPoll_del (sp_poll, ev[i].socket);
        }
    }
}

static void
socketpoll_cleanup (void)
{
  for (int i = 0; i < sp_nconns; i++)
    Socket_free (&sp_conns[i]);
  sp_nconns = 0;
  SocketPoll_free (&sp_poll);
}

#ifdef BENCH_WITH_LIBEVENT
static struct event_base *le_base;
static struct event *le_events[CONNS + 2];
static int le_nevents;

static void
le_echo (evutil_socket_t fd, short what, void *arg)
{
  char buf[MSG];
  ssize_t r = recv (fd, buf, sizeof buf, 0);

  (void)what;
  if (r > 0)
    send (fd, buf, (size_t)r, MSG_NOSIGNAL);
  else if (r == 0 || (errno != EAGAIN && errno != EINTR))
    event_del ((struct event *)arg);
}

static void
le_accept (evutil_socket_t fd, short what, void *arg)
{
  int c;

  (void)what;
  (void)arg;
  while ((c = accept4 (fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0)
    {
      int one = 1;
      struct event *e;
      setsockopt (c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      e = event_new (le_base, c, EV_READ | EV_PERSIST, le_echo,
                     event_self_cbarg ());
      event_add (e, NULL);
      le_events[le_nevents++] = e;
    }
}

static void
libevent_serve (Socket_T l, double seconds)
{
  struct timeval tv = { (time_t)seconds,
                        (suseconds_t)((seconds - (time_t)seconds) * 1e6) };

  if (le_base == NULL)
    {
      le_base = event_base_new ();
      Socket_setnonblocking (l);
      le_events[le_nevents++]
          = event_new (le_base, Socket_fd (l), EV_READ | EV_PERSIST,
                       le_accept, NULL);
      event_add (le_events[0], NULL);
    }
  event_base_loopexit (le_base, &tv);
  event_base_dispatch (le_base);
}

static void
libevent_cleanup (void)
{
  for (int i = 0; i < le_nevents; i++)
    {
      if (i > 0)
        close (event_get_fd (le_events[i]));
      event_free (le_events[i]);
    }
  le_nevents = 0;
  event_base_free (le_base);
  le_base = NULL;
}

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}
#endif

int
main (void)
{
  struct rlimit rl;

  getrlimit (RLIMIT_NOFILE, &rl);
  rl.rlim_cur = rl.rlim_max; /* the wait benchmark needs ~10,050 fds */
  setrlimit (RLIMIT_NOFILE, &rl);
  bench_timers ();
  bench_wait ();
#ifdef BENCH_WITH_LIBEVENT
  /* Alternate the two servers and compare medians: the machine is shared,
   * so single runs are noisy. */
  enum
  {
    ROUNDS = 5
  };
  double ours[ROUNDS], theirs[ROUNDS], ours_cpu[ROUNDS], theirs_cpu[ROUNDS];
  for (int r = 0; r < ROUNDS; r++)
    {
      ours[r] = run_load (socketpoll_serve, "SocketPoll");
      ours_cpu[r] = last_cpu;
      socketpoll_cleanup ();
      theirs[r] = run_load (libevent_serve, "libevent");
      theirs_cpu[r] = last_cpu;
      libevent_cleanup ();
    }
  qsort (ours, ROUNDS, sizeof ours[0], cmp_double);
  qsort (theirs, ROUNDS, sizeof theirs[0], cmp_double);
  qsort (ours_cpu, ROUNDS, sizeof ours_cpu[0], cmp_double);
  qsort (theirs_cpu, ROUNDS, sizeof theirs_cpu[0], cmp_double);
  printf ("median requests/s: SocketPoll %.0f, libevent %.0f, ratio %.3f\n",
          ours[ROUNDS / 2], theirs[ROUNDS / 2],
          ours[ROUNDS / 2] / theirs[ROUNDS / 2]);
  printf ("median requests per server CPU second: SocketPoll %.0f, libevent "
          "%.0f, ratio %.3f (libevent %s)\n",
          ours_cpu[ROUNDS / 2], theirs_cpu[ROUNDS / 2],
          ours_cpu[ROUNDS / 2] / theirs_cpu[ROUNDS / 2], event_get_version ());
#else
  run_load (socketpoll_serve, "SocketPoll");
  socketpoll_cleanup ();
  printf ("(built without -DBENCH_WITH_LIBEVENT: no libevent comparison)\n");
#endif
  return 0;
}
