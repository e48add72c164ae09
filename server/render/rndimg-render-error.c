/* SPDX-License-Identifier: MIT */
/* How a render fails, shared by the server and the render module (which
 * resolves these symbols against the server, as nginx's modules do). */
#include "rndimg-render-error.h"

G_DEFINE_QUARK (rndimg-render-error-quark, rndimg_render_error)

/* A render that needs @needed bytes, over the whole @budget. */
void
rndimg_render_set_over_memory_error (GError **error, guint64 needed, guint64 budget)
{
  g_set_error (error, RNDIMG_RENDER_ERROR, RNDIMG_RENDER_ERROR_OVER_MEMORY,
               "rendering this picture needs about %" G_GUINT64_FORMAT " MiB, over the render memory budget "
               "of %" G_GUINT64_FORMAT " MiB (--render-memory)", (needed + 1048575) / 1048576, budget / 1048576);
}
