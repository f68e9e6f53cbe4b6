/*
 * SocketAsync-uring.c - io_uring backend through raw syscalls.
 *
 * Why not liburing: Go users build the C core with cgo and should not need
 * one more system library (and its version skew) for a feature with a
 * fallback; and the subset needed here is small: setup + mmap of the two
 * rings, SEND/RECV (or SENDMSG/RECVMSG), ASYNC_CANCEL, PROBE and EVENTFD
 * registration. Ring protocol per io_uring(7) and the kernel's
 * include/uapi/linux/io_uring.h.
 *
 * Requirements, else SocketAsync_new falls back to edge-triggered readiness:
 *  - io_uring_setup succeeds (not ENOSYS, not EPERM from the
 *    kernel.io_uring_disabled sysctl or a seccomp filter);
 *  - IORING_FEAT_FAST_POLL (5.7): sockets that would block are armed
 *    internally by the kernel instead of completing with -EAGAIN;
 *  - IORING_OP_ASYNC_CANCEL and either SEND/RECV (5.6) or SENDMSG/RECVMSG
 *    (5.3), as reported by IORING_REGISTER_PROBE.
 * Completions signal an eventfd registered with IORING_REGISTER_EVENTFD;
 * SocketPoll watches it, so they are delivered by the poll loop.
 */
#include <errno.h>

#include "core/SocketUtil.h"
#include "socket/SocketAsync-private.h"

#if defined(__linux__) && defined(__has_include)
#if __has_include(<linux/io_uring.h>)
#include <linux/io_uring.h>
/* FAST_POLL (5.7 headers) implies the PROBE/SEND/RECV enum constants
 * (5.6), which are enumerators and cannot be tested with #ifdef. */
#if defined(IORING_FEAT_FAST_POLL)
#define SOCKET_ASYNC_HAVE_URING 1
#endif
#endif
#endif

#ifdef SOCKET_ASYNC_HAVE_URING

#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define URING_ENTRIES 256u /* SQ depth; the CQ is twice that */
#define PROBE_OPS 256

struct uring
{
  int fd;
  int efd;
  void *sq_map, *cq_map;
  size_t sq_map_len, cq_map_len;
  struct io_uring_sqe *sqes;
  size_t sqes_len;
  unsigned *sq_head, *sq_tail, *sq_mask, *sq_array;
  unsigned sq_entries;
  unsigned *cq_head, *cq_tail, *cq_mask;
  struct io_uring_cqe *cqes;
  unsigned local_tail;  /* our SQ tail (published with release) */
  unsigned unsubmitted; /* published but not yet io_uring_enter'ed */
  int use_msg;          /* SENDMSG/RECVMSG instead of SEND/RECV */
};

static int
sys_setup (unsigned entries, struct io_uring_params *p)
{
  return (int)syscall (__NR_io_uring_setup, entries, p);
}

static int
sys_enter (int fd, unsigned submit, unsigned min_complete, unsigned flags)
{
  return (int)syscall (__NR_io_uring_enter, fd, submit, min_complete, flags,
                       NULL, 0);
}

static int
sys_register (int fd, unsigned opcode, void *arg, unsigned nr)
{
  return (int)syscall (__NR_io_uring_register, fd, opcode, arg, nr);
}

/* ---- ring setup ------------------------------------------------------------ */

static int
map_rings (struct uring *u, const struct io_uring_params *p)
{
  u->sq_map_len = p->sq_off.array + p->sq_entries * sizeof (unsigned);
  u->cq_map_len = p->cq_off.cqes + p->cq_entries * sizeof (struct io_uring_cqe);
  if (p->features & IORING_FEAT_SINGLE_MMAP)
    {
      if (u->cq_map_len > u->sq_map_len)
        u->sq_map_len = u->cq_map_len;
      u->cq_map_len = u->sq_map_len;
    }
  u->sq_map = mmap (NULL, u->sq_map_len, PROT_READ | PROT_WRITE,
                    MAP_SHARED | MAP_POPULATE, u->fd, IORING_OFF_SQ_RING);
  if (u->sq_map == MAP_FAILED)
    return -1;
  if (p->features & IORING_FEAT_SINGLE_MMAP)
    u->cq_map = u->sq_map;
  else
    {
      u->cq_map = mmap (NULL, u->cq_map_len, PROT_READ | PROT_WRITE,
                        MAP_SHARED | MAP_POPULATE, u->fd, IORING_OFF_CQ_RING);
      if (u->cq_map == MAP_FAILED)
        return -1;
    }
  u->sqes_len = p->sq_entries * sizeof (struct io_uring_sqe);
  u->sqes = mmap (NULL, u->sqes_len, PROT_READ | PROT_WRITE,
                  MAP_SHARED | MAP_POPULATE, u->fd, IORING_OFF_SQES);
  if (u->sqes == MAP_FAILED)
    return -1;
  u->sq_head = (unsigned *)((char *)u->sq_map + p->sq_off.head);
  u->sq_tail = (unsigned *)((char *)u->sq_map + p->sq_off.tail);
  u->sq_mask = (unsigned *)((char *)u->sq_map + p->sq_off.ring_mask);
  u->sq_array = (unsigned *)((char *)u->sq_map + p->sq_off.array);
  u->sq_entries = p->sq_entries;
  u->cq_head = (unsigned *)((char *)u->cq_map + p->cq_off.head);
  u->cq_tail = (unsigned *)((char *)u->cq_map + p->cq_off.tail);
  u->cq_mask = (unsigned *)((char *)u->cq_map + p->cq_off.ring_mask);
  u->cqes = (struct io_uring_cqe *)((char *)u->cq_map + p->cq_off.cqes);
  u->local_tail = *u->sq_tail;
  return 0;
}

static void
uring_close (struct uring *u)
{
  if (u->sqes != NULL && u->sqes != MAP_FAILED)
    munmap (u->sqes, u->sqes_len);
  if (u->cq_map != NULL && u->cq_map != MAP_FAILED && u->cq_map != u->sq_map)
    munmap (u->cq_map, u->cq_map_len);
  if (u->sq_map != NULL && u->sq_map != MAP_FAILED)
    munmap (u->sq_map, u->sq_map_len);
  if (u->efd >= 0)
    close (u->efd);
  if (u->fd >= 0)
    close (u->fd);
  free (u);
}

/* Which ops the kernel supports; -1/ENOTSUP if the needed ones are missing. */
static int
probe_ops (struct uring *u)
{
  size_t len = sizeof (struct io_uring_probe)
               + PROBE_OPS * sizeof (struct io_uring_probe_op);
  struct io_uring_probe *pr = calloc (1, len);
  int ok_send, ok_msg, ok_cancel;

  if (pr == NULL)
    return -1;
  if (sys_register (u->fd, IORING_REGISTER_PROBE, pr, PROBE_OPS) < 0)
    {
      free (pr);
      return -1;
    }
#define SUPPORTED(op)                                                         \
  ((op) <= pr->last_op && (pr->ops[op].flags & IO_URING_OP_SUPPORTED))
  ok_send = SUPPORTED (IORING_OP_SEND) && SUPPORTED (IORING_OP_RECV);
  ok_msg = SUPPORTED (IORING_OP_SENDMSG) && SUPPORTED (IORING_OP_RECVMSG);
  ok_cancel = SUPPORTED (IORING_OP_ASYNC_CANCEL);
#undef SUPPORTED
  free (pr);
  if (!ok_cancel || (!ok_send && !ok_msg))
    {
      errno = ENOTSUP;
      return -1;
    }
  u->use_msg = !ok_send;
  return 0;
}

/* ---- submission ------------------------------------------------------------- */

static struct uring *
U (SocketAsync_T a)
{
  return (struct uring *)a->state;
}

static void
uring_flush (SocketAsync_T a)
{
  struct uring *u = U (a);

  while (u->unsubmitted > 0)
    {
      int n = sys_enter (u->fd, u->unsubmitted, 0, 0);
      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          return; /* EAGAIN/EBUSY: retried on the next flush */
        }
      u->unsubmitted -= (unsigned)n;
      if (n == 0)
        return;
    }
}

/* A zeroed SQE at the local tail, flushing once if the ring is full. */
static struct io_uring_sqe *
get_sqe (SocketAsync_T a)
{
  struct uring *u = U (a);
  unsigned head = __atomic_load_n (u->sq_head, __ATOMIC_ACQUIRE);
  struct io_uring_sqe *sqe;

  if (u->local_tail - head >= u->sq_entries)
    {
      uring_flush (a);
      head = __atomic_load_n (u->sq_head, __ATOMIC_ACQUIRE);
      if (u->local_tail - head >= u->sq_entries)
        {
          errno = EBUSY;
          return NULL;
        }
    }
  sqe = &u->sqes[u->local_tail & *u->sq_mask];
  memset (sqe, 0, sizeof *sqe);
  return sqe;
}

static void
publish (struct uring *u)
{
  unsigned idx = u->local_tail & *u->sq_mask;

  u->sq_array[idx] = idx;
  u->local_tail++;
  __atomic_store_n (u->sq_tail, u->local_tail, __ATOMIC_RELEASE);
  u->unsubmitted++;
}

static int
uring_submit (SocketAsync_T a, struct async_req *r, int urgent)
{
  struct uring *u = U (a);
  struct io_uring_sqe *sqe = get_sqe (a);

  if (sqe == NULL)
    return -1;
  sqe->fd = r->fd;
  sqe->user_data = r->id;
  if (u->use_msg)
    {
      r->iov.iov_base = r->buf;
      r->iov.iov_len = r->len;
      r->msg.msg_iov = &r->iov;
      r->msg.msg_iovlen = 1;
      sqe->opcode = r->op == ASYNC_OP_SEND ? IORING_OP_SENDMSG
                                           : IORING_OP_RECVMSG;
      sqe->addr = (uint64_t)(uintptr_t)&r->msg;
      sqe->len = 1;
    }
  else
    {
      sqe->opcode = r->op == ASYNC_OP_SEND ? IORING_OP_SEND : IORING_OP_RECV;
      sqe->addr = (uint64_t)(uintptr_t)r->buf;
      sqe->len = (unsigned)(r->len > 0x7ffff000u ? 0x7ffff000u : r->len);
    }
  sqe->msg_flags = r->op == ASYNC_OP_SEND ? MSG_NOSIGNAL : 0;
  publish (u);
  if (urgent)
    uring_flush (a);
  return 0;
}

/* ---- completion ------------------------------------------------------------- */

static void
reap_cq (SocketAsync_T a)
{
  struct uring *u = U (a);
  unsigned head = *u->cq_head;
  unsigned tail = __atomic_load_n (u->cq_tail, __ATOMIC_ACQUIRE);

  while (head != tail)
    {
      const struct io_uring_cqe *cqe = &u->cqes[head & *u->cq_mask];
      struct async_req *r = NULL;

      /* user_data 0 marks ASYNC_CANCEL's own completion. */
      if (cqe->user_data != 0)
        r = SocketAsync__lookup (a, (unsigned)cqe->user_data);
      if (r != NULL && r->state == ASYNC_INFLIGHT)
        SocketAsync__complete (a, r, cqe->res < 0 ? -1 : cqe->res,
                               cqe->res < 0 ? -cqe->res : 0);
      head++;
      __atomic_store_n (u->cq_head, head, __ATOMIC_RELEASE);
      tail = __atomic_load_n (u->cq_tail, __ATOMIC_ACQUIRE);
    }
}

static void
uring_reap (SocketAsync_T a)
{
  uint64_t v;

  /* Drain the eventfd before the ring: a CQE posted after this read
   * signals it again, so the poll loop cannot miss it. */
  while (read (U (a)->efd, &v, sizeof v) > 0)
    ;
  reap_cq (a);
}

/* Cancel synchronously: wait until the target's own CQE arrives, so when
 * this returns 0 the kernel no longer touches the caller's buffer. */
static int
uring_cancel (SocketAsync_T a, struct async_req *r)
{
  struct uring *u = U (a);
  struct io_uring_sqe *sqe = get_sqe (a);

  if (sqe == NULL)
    return -1;
  sqe->opcode = IORING_OP_ASYNC_CANCEL;
  sqe->fd = -1;
  sqe->addr = r->id; /* user_data of the target */
  sqe->user_data = 0;
  publish (u);
  uring_flush (a);
  while (r->state == ASYNC_INFLIGHT)
    {
      reap_cq (a);
      if (r->state != ASYNC_INFLIGHT)
        break;
      if (sys_enter (u->fd, u->unsubmitted, 1, IORING_ENTER_GETEVENTS) < 0
          && errno != EINTR)
        return -1;
    }
  if (r->err != ECANCELED && r->err != EINTR)
    return -1; /* completed (or failed) first: its callback will run */
  /* Undo SocketAsync__complete: the caller frees it without a callback. */
  if (r->prev)
    r->prev->next = r->next;
  else
    a->done_head = r->next;
  if (r->next)
    r->next->prev = r->prev;
  else
    a->done_tail = r->prev;
  a->inflight++;
  return 0;
}

static void
uring_destroy (SocketAsync_T a)
{
  /* Cancel what is in flight so no buffer is written after free returns. */
  for (unsigned i = 0; i < ASYNC_TABLE_SIZE; i++)
    for (struct async_req *r = a->table[i]; r != NULL; r = r->hnext)
      if (r->state == ASYNC_INFLIGHT)
        (void)uring_cancel (a, r);
  uring_close (U (a));
  a->state = NULL;
}

static const struct async_backend uring_backend = {
  .name = "io_uring",
  .kernel = 1,
  .submit = uring_submit,
  .cancel = uring_cancel,
  .flush = uring_flush,
  .reap = uring_reap,
  .destroy = uring_destroy,
};

int
SocketAsync__uring_compiled (void)
{
  return 1;
}

int
SocketAsync__uring_init (SocketAsync_T a)
{
  struct io_uring_params p;
  struct uring *u = calloc (1, sizeof *u);
  int saved;

  if (u == NULL)
    return -1;
  u->fd = u->efd = -1;
  memset (&p, 0, sizeof p);
  u->fd = sys_setup (URING_ENTRIES, &p);
  if (u->fd < 0)
    goto fail; /* ENOSYS, EPERM (io_uring_disabled, seccomp), ENOMEM */
  if (!(p.features & IORING_FEAT_FAST_POLL))
    {
      errno = ENOTSUP;
      goto fail;
    }
  if (map_rings (u, &p) < 0 || probe_ops (u) < 0)
    goto fail;
  u->efd = eventfd (0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (u->efd < 0
      || sys_register (u->fd, IORING_REGISTER_EVENTFD, &u->efd, 1) < 0)
    goto fail;
  a->be = &uring_backend;
  a->state = u;
  a->pollfd = u->efd;
  return 0;
fail:
  saved = errno;
  uring_close (u);
  errno = saved;
  return -1;
}

const char *
SocketAsync__uring_ops (SocketAsync_T a)
{
  if (a == NULL || a->be != &uring_backend)
    return NULL;
  return U (a)->use_msg ? "sendmsg/recvmsg" : "send/recv";
}

#else /* !SOCKET_ASYNC_HAVE_URING */

int
SocketAsync__uring_compiled (void)
{
  return 0;
}

int
SocketAsync__uring_init (SocketAsync_T a)
{
  (void)a;
  errno = ENOSYS;
  return -1;
}

const char *
SocketAsync__uring_ops (SocketAsync_T a)
{
  (void)a;
  return NULL;
}

#endif
