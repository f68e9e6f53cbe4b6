/*
 * bench_socket.c - Socket_T I/O against raw syscalls in the same program.
 *
 *   1. Ping-pong, 64-byte messages, over TCP loopback (TCP_NODELAY) and
 *      over a Unix-domain stream pair (SocketPair_new): round trips per
 *      second with Socket_send/Socket_recv on both ends versus
 *      send(2)/recv(2) on the same kind of connection.
 *   2. Bulk loopback throughput (256 KiB writes): Socket_sendall/Socket_recv
 *      versus send(2)/recv(2), in GB/s.
 *
 * Library and raw runs alternate and each configuration reports its median
 * over the rounds, so machine noise hits both sides alike. Not run by
 * ctest; build against a Release libsocket.a, e.g.
 *   cc -O2 -D_GNU_SOURCE -Iinclude tests/bench/bench_socket.c \
 *      build-rel/libsocket.a -lssl -lcrypto -lpthread -o bench_socket
 *   3. Send + receive of 64 bytes on a Unix pair in one thread: the
 *      per-call cost of the library without scheduler wake-ups (the most
 *      stable of the three on a busy machine).
 * Usage: bench_socket [round_trips] [bulk_MiB] [rounds]
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/SocketUtil.h"
#include "socket/Socket.h"

#define MSG 64
#define CHUNK (256 * 1024)

static double
now_s (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A connected loopback pair with TCP_NODELAY on both ends. */
static void
make_pair (Socket_T *client, Socket_T *server)
{
  Socket_T l = Socket_new (AF_INET, SOCK_STREAM, 0);
  Socket_bind (l, "127.0.0.1", 0);
  Socket_listen (l, 1);
  *client = Socket_new (AF_INET, SOCK_STREAM, 0);
  Socket_connect (*client, "127.0.0.1", Socket_getlocalport (l));
  *server = Socket_accept (l);
  Socket_setnodelay (*client, 1);
  Socket_setnodelay (*server, 1);
  Socket_free (&l);
}

/* ---- raw helpers (the same loops a careful caller would write) ------- */

static void
raw_send_all (int fd, const char *p, size_t len)
{
  while (len > 0)
    {
      ssize_t n = send (fd, p, len, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        abort ();
      p += n;
      len -= (size_t)n;
    }
}

static void
raw_recv_all (int fd, char *p, size_t len)
{
  while (len > 0)
    {
      ssize_t n = recv (fd, p, len, 0);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        abort ();
      p += n;
      len -= (size_t)n;
    }
}

static void
lib_send_all (Socket_T s, const char *p, size_t len)
{
  while (len > 0)
    {
      ssize_t n = Socket_send (s, p, len);
      p += n;
      len -= (size_t)n;
    }
}

static void
lib_recv_all (Socket_T s, char *p, size_t len)
{
  while (len > 0)
    {
      ssize_t n = Socket_recv (s, p, len);
      p += n;
      len -= (size_t)n;
    }
}

/* ---- ping-pong --------------------------------------------------------- */

struct job
{
  Socket_T s;
  int raw;
  long count;  /* round trips, or bytes for bulk */
};

static void *
echo_main (void *arg)
{
  struct job *j = arg;
  char buf[MSG];

  for (long i = 0; i < j->count; i++)
    if (j->raw)
      {
        raw_recv_all (Socket_fd (j->s), buf, MSG);
        raw_send_all (Socket_fd (j->s), buf, MSG);
      }
    else
      {
        lib_recv_all (j->s, buf, MSG);
        lib_send_all (j->s, buf, MSG);
      }
  return NULL;
}

static double
pingpong (int raw, long n, int unix_pair)
{
  Socket_T c, s;
  pthread_t th;
  struct job j;
  char msg[MSG];
  double t0, t;

  memset (msg, 'p', sizeof msg);
  if (unix_pair)
    SocketPair_new (SOCK_STREAM, &c, &s);
  else
    make_pair (&c, &s);
  j.s = s;
  j.raw = raw;
  j.count = n;
  pthread_create (&th, NULL, echo_main, &j);
  t0 = now_s ();
  for (long i = 0; i < n; i++)
    if (raw)
      {
        raw_send_all (Socket_fd (c), msg, MSG);
        raw_recv_all (Socket_fd (c), msg, MSG);
      }
    else
      {
        lib_send_all (c, msg, MSG);
        lib_recv_all (c, msg, MSG);
      }
  t = now_s () - t0;
  pthread_join (th, NULL);
  Socket_free (&c);
  Socket_free (&s);
  return (double)n / t;
}

/* ---- same-thread Unix pair: per-call cost without scheduler wakeups --- */

static double
samethread (int raw, long n)
{
  Socket_T a, b;
  char msg[MSG];
  double t0, t;

  memset (msg, 's', sizeof msg);
  SocketPair_new (SOCK_STREAM, &a, &b);
  t0 = now_s ();
  for (long i = 0; i < n; i++)
    if (raw)
      {
        raw_send_all (Socket_fd (a), msg, MSG);
        raw_recv_all (Socket_fd (b), msg, MSG);
      }
    else
      {
        lib_send_all (a, msg, MSG);
        lib_recv_all (b, msg, MSG);
      }
  t = now_s () - t0;
  Socket_free (&a);
  Socket_free (&b);
  return t / (double)n * 1e9; /* ns per send+recv pair */
}

/* ---- bulk -------------------------------------------------------------- */

static void *
sink_main (void *arg)
{
  struct job *j = arg;
  char *buf = malloc (CHUNK);
  long left = j->count;

  while (left > 0)
    {
      ssize_t n;
      if (j->raw)
        {
          n = recv (Socket_fd (j->s), buf, CHUNK, 0);
          if (n <= 0)
            abort ();
        }
      else
        n = Socket_recv (j->s, buf, CHUNK);
      left -= n;
    }
  free (buf);
  return NULL;
}

static double
bulk (int raw, long bytes)
{
  Socket_T c, s;
  pthread_t th;
  struct job j;
  char *buf = calloc (1, CHUNK);
  double t0, t;

  make_pair (&c, &s);
  j.s = s;
  j.raw = raw;
  j.count = bytes;
  pthread_create (&th, NULL, sink_main, &j);
  t0 = now_s ();
  for (long sent = 0; sent < bytes; sent += CHUNK)
    if (raw)
      raw_send_all (Socket_fd (c), buf, CHUNK);
    else
      Socket_sendall (c, buf, CHUNK);
  pthread_join (th, NULL);
  t = now_s () - t0;
  free (buf);
  Socket_free (&c);
  Socket_free (&s);
  return (double)bytes / t / 1e9;
}

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double
median (double *v, int n)
{
  qsort (v, (size_t)n, sizeof *v, cmp_double);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int
main (int argc, char **argv)
{
  long trips = argc > 1 ? atol (argv[1]) : 50000;
  long mib = argc > 2 ? atol (argv[2]) : 1024;
  int rounds = argc > 3 ? atoi (argv[3]) : 5;
  double pr[64], pl[64], ur[64], ul[64], sr[64], sl[64], br[64], bl[64];

  if (rounds < 1 || rounds > 64 || trips < 1 || mib < 1)
    return 2;
  pingpong (1, trips / 10, 0); /* warm up */
  for (int r = 0; r < rounds; r++)
    {
      /* Alternate which side goes first to cancel drift. */
      if (r % 2)
        pl[r] = pingpong (0, trips, 0), pr[r] = pingpong (1, trips, 0);
      else
        pr[r] = pingpong (1, trips, 0), pl[r] = pingpong (0, trips, 0);
    }
  for (int r = 0; r < rounds; r++)
    {
      if (r % 2)
        ul[r] = pingpong (0, trips, 1), ur[r] = pingpong (1, trips, 1);
      else
        ur[r] = pingpong (1, trips, 1), ul[r] = pingpong (0, trips, 1);
    }
  for (int r = 0; r < rounds; r++)
    {
      if (r % 2)
        sl[r] = samethread (0, trips * 10), sr[r] = samethread (1, trips * 10);
      else
        sr[r] = samethread (1, trips * 10), sl[r] = samethread (0, trips * 10);
    }
  for (int r = 0; r < rounds; r++)
    {
      if (r % 2)
        bl[r] = bulk (0, mib << 20), br[r] = bulk (1, mib << 20);
      else
        br[r] = bulk (1, mib << 20), bl[r] = bulk (0, mib << 20);
    }
  {
    double mpr = median (pr, rounds), mpl = median (pl, rounds);
    double mur = median (ur, rounds), mul = median (ul, rounds);
    double mbr = median (br, rounds), mbl = median (bl, rounds);
    printf ("ping-pong 64 B (%ld round trips x %d rounds, median)\n", trips,
            rounds);
    printf ("  raw send/recv   : %10.0f round trips/s\n", mpr);
    printf ("  Socket_send/recv: %10.0f round trips/s  ratio %.3f  (%.0f ns "
            "vs %.0f ns per round trip)\n",
            mpl, mpl / mpr, 1e9 / mpl, 1e9 / mpr);
    printf ("ping-pong 64 B over a Unix stream pair (median)\n");
    printf ("  raw send/recv   : %10.0f round trips/s\n", mur);
    printf ("  Socket_send/recv: %10.0f round trips/s  ratio %.3f  (%.0f ns "
            "vs %.0f ns per round trip)\n",
            mul, mul / mur, 1e9 / mul, 1e9 / mur);
    {
      double msr = median (sr, rounds), msl = median (sl, rounds);
      printf ("send+recv 64 B on a Unix pair, one thread (%ld pairs, "
              "median)\n",
              trips * 10);
      printf ("  raw send/recv   : %7.0f ns per pair\n", msr);
      printf ("  Socket_send/recv: %7.0f ns per pair  ratio %.3f\n", msl,
              msr / msl);
    }
    printf ("bulk loopback (%ld MiB, 256 KiB writes, median)\n", mib);
    printf ("  raw send/recv   : %6.2f GB/s\n", mbr);
    printf ("  Socket_sendall  : %6.2f GB/s  ratio %.3f\n", mbl, mbl / mbr);
  }
  return Socket_debug_live_count () == 0 ? 0 : 1;
}
