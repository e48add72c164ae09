/* SPDX-License-Identifier: MIT */
/* Many sends in one system call: a fan-out's answers and frames (one per
 * client, thousands at once) queued in an io_uring submission ring
 * (liburing) and handed to the kernel together. The kernel makes each as
 * send(2) would, without a system call's entry and exit apiece: a third of
 * a 5000-client fan-out's time on the benchmark machine (bench/README.md).
 * A send never waits (MSG_DONTWAIT): what the kernel does not take at once
 * is told to its sender, who queues it as after any short send; results
 * are told in the order the sends were added, once all are known.
 *
 * Where io_uring cannot be used (kernel.io_uring_disabled, a seccomp
 * filter, an old kernel) rndimg_send_batch_new() gives NULL and senders
 * write one by one; if the ring fails later, the batch sends the rest one
 * by one itself. */
#include "rndimg-send-batch.h"

#include <errno.h>
#include <liburing.h>
#include <sys/socket.h>

/* The submission ring; a larger batch is handed over in parts. Its
 * memory, with the completion ring (twice as long), is some 90 KB. */
#define RING_ENTRIES 1024

typedef enum {
  QUEUED,     /* in the submission ring */
  HANDED,     /* taken by the kernel, its result not read yet */
  FINISHED,
} EntryState;

typedef struct {
  GBytes *bytes;        /* held until the kernel is done with them */
  int fd;
  RndimgSendDone done;  /* NULL once forgotten */
  gpointer user_data;
  EntryState state;
  struct io_uring_sqe *place;   /* its place in the submission ring, while QUEUED */
  gssize result;
} Entry;

struct _RndimgSendBatch
{
  struct io_uring ring;
  gboolean usable;      /* FALSE once the ring failed: sends go one by one */
  GArray *entries;      /* Entry, in the order added */
  guint first_queued;   /* entries before it are handed or finished */
  guint handed;         /* entries HANDED */
  guint32 serial;       /* of this submission: a ticket is the serial and an index */
  GArray *telling;      /* the entries of the submission being told, or NULL */
};

#define TICKET(serial, index) (((guint64) (serial) << 32) | (index))

/* A batch, or NULL when io_uring cannot be used here. */
RndimgSendBatch *
rndimg_send_batch_new (void)
{
  RndimgSendBatch *self = g_new0 (RndimgSendBatch, 1);
  int error = io_uring_queue_init (RING_ENTRIES, &self->ring, 0);

  if (error < 0)
    {
      g_debug ("sends go one by one: io_uring cannot be used (%s)", g_strerror (-error));
      g_free (self);
      return NULL;
    }
  self->usable = TRUE;
  self->entries = g_array_new (FALSE, FALSE, sizeof (Entry));
  return self;
}

static gssize
send_now (const Entry *entry)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (entry->bytes, &size);
  gssize sent;

  do
    sent = send (entry->fd, data, size, MSG_NOSIGNAL | MSG_DONTWAIT);
  while (sent < 0 && errno == EINTR);
  return sent < 0 ? -errno : sent;
}

/* Reads the result of every send handed to the kernel (sends that never
 * wait are all done by the time the submission returns). */
static void
read_results (RndimgSendBatch *self)
{
  while (self->handed > 0)
    {
      struct io_uring_cqe *cqe;
      int error = io_uring_wait_cqe (&self->ring, &cqe);
      Entry *entry;

      if (error == -EINTR)
        continue;
      if (error < 0)
        {
          g_critical ("io_uring: cannot read the sends' results: %s", g_strerror (-error));
          return;
        }
      entry = &g_array_index (self->entries, Entry, io_uring_cqe_get_data64 (cqe));
      entry->result = cqe->res;
      entry->state = FINISHED;
      self->handed--;
      io_uring_cqe_seen (&self->ring, cqe);
    }
}

/* The ring failed: what it still holds is sent one by one, and so is
 * every send after it. */
static void
give_up_ring (RndimgSendBatch *self, int error)
{
  g_warning ("io_uring failed (%s): sends go one by one from now on", g_strerror (-error));
  read_results (self);
  io_uring_queue_exit (&self->ring);
  self->usable = FALSE;
  for (; self->first_queued < self->entries->len; self->first_queued++)
    {
      Entry *entry = &g_array_index (self->entries, Entry, self->first_queued);

      if (entry->state != QUEUED)
        continue;
      entry->result = entry->done != NULL ? send_now (entry) : -ECANCELED;
      entry->state = FINISHED;
    }
}

/* Hands what is queued to the kernel. */
static void
hand_over (RndimgSendBatch *self)
{
  while (self->usable && self->first_queued < self->entries->len)
    {
      int handed = io_uring_submit (&self->ring);

      if (handed == -EINTR)
        continue;
      if (handed <= 0)
        {
          give_up_ring (self, handed < 0 ? handed : -EIO);
          return;
        }
      for (; handed > 0; self->first_queued++)
        {
          Entry *entry = &g_array_index (self->entries, Entry, self->first_queued);

          if (entry->state != QUEUED)
            continue;
          entry->state = HANDED;
          self->handed++;
          handed--;
        }
    }
}

/* A free place in the submission ring, emptying it when full; NULL when
 * the ring cannot be used. */
static struct io_uring_sqe *
next_place (RndimgSendBatch *self)
{
  struct io_uring_sqe *place;

  if (!self->usable)
    return NULL;
  place = io_uring_get_sqe (&self->ring);
  if (place != NULL)
    return place;
  hand_over (self);
  /* Results waiting in the completion ring would overflow it. */
  read_results (self);
  return self->usable ? io_uring_get_sqe (&self->ring) : NULL;
}

/* Adds a send of @bytes on @fd; @done(@user_data) gets its
 * result at rndimg_send_batch_submit(). Returns a ticket for
 * rndimg_send_batch_forget(). */
guint64
rndimg_send_batch_add (RndimgSendBatch *self, int fd, GBytes *bytes, RndimgSendDone done, gpointer user_data)
{
  struct io_uring_sqe *place = next_place (self);
  Entry entry = { g_bytes_ref (bytes), fd, done, user_data, QUEUED, place, 0 };
  guint index = self->entries->len;

  if (place != NULL)
    {
      gsize size;
      const guint8 *data = g_bytes_get_data (bytes, &size);

      io_uring_prep_send (place, fd, data, size, MSG_NOSIGNAL | MSG_DONTWAIT);
      io_uring_sqe_set_data64 (place, index);
    }
  else
    {
      entry.result = send_now (&entry);
      entry.state = FINISHED;
    }
  g_array_append_val (self->entries, entry);
  return TICKET (self->serial, index);
}

/* The send of @ticket is not made if it is still in the ring (its
 * sender is gone, and may close the descriptor now: the number could be
 * another file's by the submission), and its result is not told (a
 * ticket already told is let be). */
void
rndimg_send_batch_forget (RndimgSendBatch *self, guint64 ticket)
{
  guint32 serial = (guint32) (ticket >> 32);
  guint index = (guint) (ticket & G_MAXUINT32);
  GArray *entries = serial == self->serial ? self->entries
                    : serial == self->serial - 1 ? self->telling : NULL;
  Entry *entry;

  if (entries == NULL || index >= entries->len)
    return;
  entry = &g_array_index (entries, Entry, index);
  entry->done = NULL;
  if (entry->state == QUEUED && entry->place != NULL)
    {
      io_uring_prep_nop (entry->place);
      io_uring_sqe_set_data64 (entry->place, index);
    }
}

/* Every send added goes out; then each sender is told its result, in the
 * order the sends were added. The batch is empty after it, and may be
 * added to again (by those told, too: for the next submission). */
void
rndimg_send_batch_submit (RndimgSendBatch *self)
{
  g_autoptr(GArray) entries = NULL;

  hand_over (self);
  read_results (self);
  entries = g_steal_pointer (&self->entries);
  self->entries = g_array_new (FALSE, FALSE, sizeof (Entry));
  self->first_queued = 0;
  self->serial++;
  /* Those told may forget others not told yet (a sender freed). */
  self->telling = entries;
  for (guint i = 0; i < entries->len; i++)
    {
      Entry *entry = &g_array_index (entries, Entry, i);

      if (entry->done != NULL)
        entry->done (entry->result, entry->user_data);
      g_bytes_unref (entry->bytes);
    }
  self->telling = NULL;
}

/* Sends added and not submitted are dropped, their senders not told
 * (a batch is submitted in the pass it was opened in: there are none). */
void
rndimg_send_batch_free (RndimgSendBatch *self)
{
  if (self->usable)
    io_uring_queue_exit (&self->ring);
  for (guint i = 0; i < self->entries->len; i++)
    g_bytes_unref (g_array_index (self->entries, Entry, i).bytes);
  g_array_unref (self->entries);
  g_free (self);
}
