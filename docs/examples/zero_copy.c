/*
 * zero_copy.c - the seed README's "Zero-Copy File Transfer" snippet as a
 * self-checking program: a 4 MiB file (created here, standing in for
 * largefile.bin) goes out with Socket_sendfileall() (sendfile(2)) and the
 * receiving thread compares every byte.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "socket/Socket.h"

#define FILE_SIZE (4u << 20)

static unsigned char
pattern (size_t i)
{
  return (unsigned char)((i * 31u) ^ (i >> 9));
}

struct sink
{
  Socket_T s;
  int ok;
};

static void *
sink_main (void *arg)
{
  struct sink *k = arg;
  unsigned char *buf = malloc (FILE_SIZE);

  TRY
  {
    Socket_recvall (k->s, buf, FILE_SIZE);
    k->ok = 1;
    for (size_t i = 0; i < FILE_SIZE; i++)
      if (buf[i] != pattern (i))
        k->ok = 0;
  }
  EXCEPT (Socket_Closed) {}
  END_TRY;
  free (buf);
  return NULL;
}

int
main (void)
{
  char path[] = "/tmp/largefile-XXXXXX";
  int tmp = mkstemp (path);
  unsigned char *content = malloc (FILE_SIZE);

  for (size_t i = 0; i < FILE_SIZE; i++)
    content[i] = pattern (i);
  if (tmp < 0 || write (tmp, content, FILE_SIZE) != (ssize_t)FILE_SIZE)
    return 1;
  close (tmp);
  free (content);

  Socket_T listener = Socket_new (AF_INET, SOCK_STREAM, 0);
  Socket_bind (listener, "127.0.0.1", 0);
  Socket_listen (listener, 1);
  Socket_T socket = Socket_new (AF_INET, SOCK_STREAM, 0);
  Socket_connect (socket, "127.0.0.1", Socket_getlocalport (listener));
  struct sink k = { Socket_accept (listener), 0 };
  pthread_t th;
  pthread_create (&th, NULL, sink_main, &k);

  int file_fd = open (path, O_RDONLY);
  struct stat st;
  fstat (file_fd, &st);

  off_t offset = 0;
  ssize_t sent = Socket_sendfileall (socket, file_fd, &offset, st.st_size);
  close (file_fd);

  pthread_join (th, NULL);
  unlink (path);
  int ok = sent == (ssize_t)FILE_SIZE && offset == (off_t)FILE_SIZE && k.ok;
  printf ("zero_copy: sent %zd bytes, offset %lld: %s\n", sent,
          (long long)offset, ok ? "ok" : "FAILED");
  Socket_free (&k.s);
  Socket_free (&socket);
  Socket_free (&listener);
  return ok ? 0 : 1;
}
