/* SPDX-License-Identifier: MIT */
/* A streaming answer written by us, not libsoup: once the connection is
 * taken (after libsoup has written the headers, or at once on the hot
 * path) each frame goes out in one send() (libsoup's chunked writer makes
 * three, and copies); over TLS, each frame goes through the connection's
 * TLS stream. In a batch of sends (a fan-out's: see
 * rndimg_connections_begin_sends()) the first try waits for the batch's
 * end, the frame queued meanwhile. What the kernel does not take at once
 * waits in a queue bounded in bytes; past the bound the reader is too slow
 * and the writer refuses. Frames written before the take-over wait in the
 * same queue. Freeing closes the connection, which ends an EOF-delimited
 * body cleanly; finishing hands it on once the queue is sent (a
 * long-poll's answer, then keep-alive). */
#include "rndimg-frame-writer.h"
#include "rndimg-connection.h"

#include <errno.h>
#include <sys/socket.h>

#define KERNEL_BUFFER_BYTES (64 * 1024)

struct _RndimgFrameWriter
{
  RndimgConnection *connection;   /* NULL until the take-over */
  GPollableOutputStream *output;  /* its transport's (borrowed): the socket's, or TLS */
  GQueue queue;               /* GBytes not yet written */
  gsize queued_bytes;
  gsize head_written;         /* of the first queued frame */
  gsize max_queued_bytes;
  GSource *writable;
  gboolean in_batch;          /* the first queued frame's send is in a batch */
  guint64 batch_ticket;
  RndimgFrameWriterFailed failed;
  gpointer user_data;
  RndimgFrameWriterDone done;     /* set by _finish(): who gets the connection */
  gpointer done_data;
};

RndimgFrameWriter *
rndimg_frame_writer_new (gsize max_queued_bytes, RndimgFrameWriterFailed failed, gpointer user_data)
{
  RndimgFrameWriter *self = g_new0 (RndimgFrameWriter, 1);

  g_queue_init (&self->queue);
  self->max_queued_bytes = max_queued_bytes;
  self->failed = failed;
  self->user_data = user_data;
  return self;
}

static gboolean on_writable (GObject *output, gpointer user_data);

/* What the connection takes of @data now without waiting: -1 with
 * G_IO_ERROR_WOULD_BLOCK when nothing. Over TLS, a write that would block
 * must be repeated with the same bytes, which the queue does. */
static gssize
send_some (RndimgFrameWriter *self, const char *data, gsize size, GError **error)
{
  const struct iovec piece = { (void *) data, size };

  return rndimg_connection_write (self->connection, &piece, 1, error);
}

/* The kernel took @taken bytes of the first queued frame. */
static void
took (RndimgFrameWriter *self, gsize taken)
{
  self->head_written += taken;
  self->queued_bytes -= taken;
  if (self->head_written < g_bytes_get_size (g_queue_peek_head (&self->queue)))
    return;
  g_bytes_unref (g_queue_pop_head (&self->queue));
  self->head_written = 0;
}

/* Writes as much of the queue as the kernel takes now. FALSE: the
 * connection failed (the peer is gone). */
static gboolean
flush (RndimgFrameWriter *self)
{
  if (self->in_batch)
    return TRUE;   /* its result comes first */
  while (!g_queue_is_empty (&self->queue))
    {
      GBytes *head = g_queue_peek_head (&self->queue);
      gsize size;
      const char *data = g_bytes_get_data (head, &size);
      g_autoptr(GError) error = NULL;
      gssize sent = send_some (self, data + self->head_written, size - self->head_written, &error);

      if (sent < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        break;
      if (sent < 0)
        {
          g_debug ("frame writer: %s", error->message);
          return FALSE;
        }
      took (self, (gsize) sent);
    }
  if (!g_queue_is_empty (&self->queue) && self->writable == NULL)
    {
      self->writable = g_pollable_output_stream_create_source (self->output, NULL);
      g_source_set_callback (self->writable, G_SOURCE_FUNC (on_writable), self, NULL);
      g_source_attach (self->writable, NULL);
    }
  return TRUE;
}

static void hand_on (RndimgFrameWriter *self);

/* After a send that did not wait (the socket was writable, or a batch
 * ended; @ok: it did not fail): the rest goes, and a finishing writer
 * hands its connection on once all is out. */
static void
after_send (RndimgFrameWriter *self, gboolean ok)
{
  gboolean sent = ok && flush (self);

  if (self->done != NULL && (!sent || g_queue_is_empty (&self->queue)))
    {
      if (!sent)   /* failed: closed, and no connection handed on */
        {
          rndimg_connection_close (self->connection);
          g_clear_pointer (&self->connection, rndimg_connection_unref);
        }
      hand_on (self);
    }
  else if (!sent)
    self->failed (self->user_data);
}

static gboolean
on_writable (GObject *output, gpointer user_data)
{
  RndimgFrameWriter *self = user_data;

  g_clear_pointer (&self->writable, g_source_unref);
  after_send (self, TRUE);
  return G_SOURCE_REMOVE;
}

static void
on_batch_sent (gssize result, gpointer user_data)
{
  RndimgFrameWriter *self = user_data;

  self->in_batch = FALSE;
  if (result > 0)
    took (self, (gsize) result);
  if (result < 0 && result != -EAGAIN)
    g_debug ("frame writer: %s", g_strerror ((int) -result));
  after_send (self, result >= 0 || result == -EAGAIN);
}

/* Queues @frame, its send in the batch of sends open, if any (FALSE:
 * none, send it now). */
static gboolean
send_in_batch (RndimgFrameWriter *self, GBytes *frame)
{
  if (!rndimg_connection_send_in_batch (self->connection, frame, on_batch_sent, self, &self->batch_ticket))
    return FALSE;
  g_queue_push_tail (&self->queue, g_bytes_ref (frame));
  self->queued_bytes += g_bytes_get_size (frame);
  self->head_written = 0;
  self->in_batch = TRUE;
  return TRUE;
}

/* Takes over @connection, already taken from its reader (see
 * rndimg_exchange_take()), and sends what was queued. FALSE when it
 * cannot be written to. */
gboolean
rndimg_frame_writer_take_over (RndimgFrameWriter *self, RndimgConnection *connection)
{
  GOutputStream *output = g_io_stream_get_output_stream (rndimg_connection_get_transport (connection));

  if (!G_IS_POLLABLE_OUTPUT_STREAM (output))
    return FALSE;
  /* Events are small: a fixed kernel buffer, not one that grows to
   * megabytes behind a reader that stopped, keeps the bound meaningful. */
  g_socket_set_option (rndimg_connection_get_socket (connection), SOL_SOCKET, SO_SNDBUF, KERNEL_BUFFER_BYTES, NULL);
  self->connection = rndimg_connection_ref (connection);
  self->output = G_POLLABLE_OUTPUT_STREAM (output);
  return flush (self);
}

/* Puts @frame before everything queued, to go first: a stream's head
 * handed over with its connection. Before the take-over only. */
void
rndimg_frame_writer_write_first (RndimgFrameWriter *self, GBytes *frame)
{
  g_return_if_fail (self->connection == NULL);
  g_queue_push_head (&self->queue, g_bytes_ref (frame));
  self->queued_bytes += g_bytes_get_size (frame);
}

/* Queues @frame and sends what the kernel takes. FALSE: the reader is
 * too slow (over the bound) or gone; nothing more should be written. */
gboolean
rndimg_frame_writer_write (RndimgFrameWriter *self, GBytes *frame)
{
  gsize size;
  const char *data = g_bytes_get_data (frame, &size);
  gssize sent = 0;

  /* The usual case: nothing waiting, and the kernel takes it all (now,
   * or when the batch of sends ends). */
  if (self->connection != NULL && g_queue_is_empty (&self->queue))
    {
      if (size <= self->max_queued_bytes && send_in_batch (self, frame))
        return TRUE;
      sent = send_some (self, data, size, NULL);
      if (sent == (gssize) size)
        return TRUE;
      sent = MAX (sent, 0);
    }
  if (self->queued_bytes + size - (gsize) sent > self->max_queued_bytes)
    return FALSE;
  g_queue_push_tail (&self->queue, g_bytes_ref (frame));
  self->queued_bytes += size - (gsize) sent;
  if (g_queue_get_length (&self->queue) == 1)
    self->head_written = (gsize) sent;
  if (self->connection == NULL || self->writable != NULL)
    return TRUE;
  return flush (self);
}

/* Closes the connection if it was taken over. */
void
rndimg_frame_writer_free (RndimgFrameWriter *self)
{
  if (self->in_batch)
    rndimg_connection_forget_send (self->connection, self->batch_ticket);
  if (self->writable != NULL)
    g_source_destroy (self->writable);
  g_clear_pointer (&self->writable, g_source_unref);
  g_queue_clear_full (&self->queue, (GDestroyNotify) g_bytes_unref);
  if (self->connection != NULL)
    rndimg_connection_close (self->connection);
  g_clear_pointer (&self->connection, rndimg_connection_unref);
  g_free (self);
}

/* Gives the connection (or NULL) to whoever finishes with it, and frees
 * the writer. */
static void
hand_on (RndimgFrameWriter *self)
{
  RndimgFrameWriterDone done = self->done;
  gpointer done_data = self->done_data;
  RndimgConnection *connection = g_steal_pointer (&self->connection);

  rndimg_frame_writer_free (self);
  done (connection, done_data);
}

/* Ends the writer once what is queued is sent: then @done gets the
 * connection (a reference), or NULL if it failed first (closed). The
 * writer is freed; the failed callback given at creation is not called
 * any more. */
void
rndimg_frame_writer_finish (RndimgFrameWriter *self, RndimgFrameWriterDone done, gpointer user_data)
{
  self->done = done;
  self->done_data = user_data;
  if (self->connection == NULL || g_queue_is_empty (&self->queue))
    hand_on (self);
}
