/* SPDX-License-Identifier: MIT */
/* One render, on a render thread, as its plan says (rndimg-masters.c):
 * from a reduced master, from the original, or first making the picture's
 * masters (each from the one above it, the largest from the original,
 * written beside the cache and mapped) and then from the smallest that
 * serves. The box always comes from the original's size as shown. */
#include "rndimg-render-job.h"
#include "rndimg-master-file.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

static GBytes *
render_from_master (RndimgMasterFile *master, const RndimgSourceFacts *facts, const RndimgVariantSpec *spec,
                    RndimgRenderDeadline *deadline, GError **error)
{
  g_autoptr(VipsImage) resized = NULL;
  RndimgRenderBox box;

  rndimg_render_box (spec, facts->width, facts->height, &box);
  resized = rndimg_master_file_resize (master, box.width, box.height, error);
  return resized != NULL ? rndimg_render_encode (resized, &box, spec, deadline, error) : NULL;
}

static GBytes *
render_from_original (const char *path, const RndimgSourceFacts *facts, const RndimgVariantSpec *spec,
                      RndimgRenderDeadline *deadline, GError **error)
{
  g_autoptr(VipsImage) resized = NULL;
  RndimgRenderBox box;

  rndimg_render_box (spec, facts->width, facts->height, &box);
  resized = rndimg_render_resize_original (path, box.width, box.height, error);
  return resized != NULL ? rndimg_render_encode (resized, &box, spec, deadline, error) : NULL;
}

/* A new master file in @folder, named after its final name (libvips
 * writes a .v file only under a name that ends so). */
static char *
temporary_master (const char *folder, const char *final_path, GError **error)
{
  g_autofree char *base = g_path_get_basename (final_path);
  g_autofree char *template = g_strdup_printf ("%.*s.XXXXXX.v", (int) strlen (base) - 2, base);
  char *path = g_build_filename (folder, template, NULL);
  int fd = g_mkstemp_full (path, O_WRONLY | O_CLOEXEC, 0600);

  if (fd < 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "%s: %s", path, g_strerror (errno));
      g_free (path);
      return NULL;
    }
  close (fd);
  return path;
}

/* The master @size, from @above (the master over it) or the original. */
static RndimgMasterFile *
make_master (const char *path, const RndimgSourceFacts *facts, RndimgMasterFile *above, const RndimgMasterSize *size,
             const RndimgMastersPlan *plan, RndimgRenderDeadline *deadline, char **made, guint64 *bytes, GError **error)
{
  g_autoptr(VipsImage) resized = NULL;
  g_autofree char *temporary = temporary_master (plan->folder, plan->paths[size->level], error);
  gboolean turned = FALSE;
  RndimgMasterFile *file;

  if (temporary == NULL)
    return NULL;
  resized = above != NULL ? rndimg_master_from_master (above, size, error)
                          : rndimg_master_from_original (path, facts, size, &turned, error);
  if (resized == NULL || !rndimg_master_write (resized, turned, temporary, deadline, bytes, error) ||
      (file = rndimg_master_file_map (temporary, size, error)) == NULL)
    {
      g_unlink (temporary);
      return NULL;
    }
  *made = g_steal_pointer (&temporary);
  return file;
}

/* Every master of the picture (@outcome's sizes) in @files: mapped where
 * the disk has it, else made; FALSE when one cannot be. */
static gboolean
make_masters (const char *path, const RndimgMastersPlan *plan, RndimgRenderDeadline *deadline,
              RndimgMastersOutcome *outcome, RndimgMasterFile **files, GError **error)
{
  for (guint i = 0; i < outcome->n_sizes; i++)
    {
      const RndimgMasterSize *size = &outcome->sizes[i];

      if (plan->present[size->level] && (files[i] = rndimg_master_file_map (plan->paths[size->level], size, NULL)) != NULL)
        continue;
      files[i] = make_master (path, &outcome->facts, i > 0 ? files[i - 1] : NULL, size, plan, deadline,
                              &outcome->made[i], &outcome->made_bytes[i], error);
      if (files[i] == NULL)
        return FALSE;
    }
  return TRUE;
}

/* Drops from @outcome's sizes the masters the disk could never keep (over
 * its whole budget): not written at all, so the folder never holds more
 * than its budget, even while a master is made. The largest go first; the
 * largest left is then made from the original. */
static void
drop_masters_over (guint64 max_bytes, RndimgMastersOutcome *outcome)
{
  guint64 pixel_bytes = MAX (outcome->facts.bands, 1);
  guint first = 0;

  while (first < outcome->n_sizes &&
         (guint64) outcome->sizes[first].width * outcome->sizes[first].height * pixel_bytes > max_bytes)
    first++;
  memmove (outcome->sizes, outcome->sizes + first, (outcome->n_sizes - first) * sizeof outcome->sizes[0]);
  outcome->n_sizes -= first;
}

/* The render that makes a picture's masters: them, then the variant from the
 * smallest that serves (or the original, for a box larger than them all). */
static GBytes *
make_then_render (const char *path, const RndimgVariantSpec *spec, const RndimgMastersPlan *plan,
                  RndimgRenderDeadline *deadline, RndimgMastersOutcome *outcome, GError **error)
{
  RndimgMasterFile *files[RNDIMG_MASTER_MAX_LEVELS] = { NULL };
  g_autoptr(GError) make_error = NULL;
  GBytes *bytes = NULL;
  RndimgRenderBox box;

  outcome->n_sizes = rndimg_master_plan (outcome->facts.width, outcome->facts.height, outcome->sizes);
  drop_masters_over (plan->max_bytes, outcome);
  if (!make_masters (path, plan, deadline, outcome, files, &make_error))
    {
      outcome->make_failed = TRUE;
      rndimg_masters_outcome_clear (outcome);
      if (g_error_matches (make_error, RNDIMG_RENDER_ERROR, RNDIMG_RENDER_ERROR_TIMEOUT))
        {
          g_propagate_error (error, g_steal_pointer (&make_error));
          goto out;
        }
      g_debug ("no masters of %s: %s", path, make_error->message);
    }
  rndimg_render_box (spec, outcome->facts.width, outcome->facts.height, &box);
  for (guint i = outcome->n_sizes; i > 0 && bytes == NULL && !outcome->make_failed; i--)
    if (rndimg_master_serves (&outcome->sizes[i - 1], &box))
      {
        outcome->from_master = TRUE;
        bytes = render_from_master (files[i - 1], &outcome->facts, spec, deadline, error);
        goto out;
      }
  bytes = render_from_original (path, &outcome->facts, spec, deadline, error);
out:
  for (guint i = 0; i < RNDIMG_MASTER_MAX_LEVELS; i++)
    g_clear_pointer (&files[i], rndimg_master_file_unref);
  return bytes;
}

/* Admitted on its format's worst case before its header was read (a
 * 16-bit interlaced RGBA PNG, say), holding the whole budget: what the
 * header says decides now, before anything is decoded. */
static gboolean
fits_memory_limit (const RndimgSourceFacts *facts, const RndimgVariantSpec *spec, const RndimgMastersPlan *plan,
                   guint64 memory_limit, GError **error)
{
  RndimgRenderBox box;
  guint64 needed;

  rndimg_render_box (spec, facts->width, facts->height, &box);
  needed = rndimg_render_memory_for_original (facts, &box, spec->format, plan->step == RNDIMG_MASTERS_MAKE);
  if (needed <= memory_limit)
    return TRUE;
  rndimg_render_set_over_memory_error (error, needed, memory_limit);
  return FALSE;
}

/* The variant @spec of the picture at @path, as @plan says; @outcome
 * tells the main context what was learnt and made. A @memory_limit (not
 * 0) is checked against the picture's header first. */
GBytes *
rndimg_render_job_run (RndimgOpenMasters *open_masters, const char *path, const RndimgVariantSpec *spec, const RndimgMastersPlan *plan,
                       guint64 max_input_pixels, guint64 memory_limit, RndimgRenderDeadline *deadline,
                       RndimgMastersOutcome *outcome, GError **error)
{
  if (plan->step == RNDIMG_MASTERS_FROM_MASTER)
    {
      g_autoptr(RndimgMasterFile) master = rndimg_open_masters_get (open_masters, plan->paths[0], &plan->master, NULL);

      if (master != NULL)
        {
          outcome->from_master = TRUE;
          return render_from_master (master, &plan->facts, spec, deadline, error);
        }
      outcome->master_lost = TRUE;
    }
  /* The header, always read from the file itself: the input limit holds
   * for the very file decoded. */
  if (!rndimg_render_read_facts (path, max_input_pixels, &outcome->facts, error))
    return NULL;
  outcome->facts_known = TRUE;
  if (memory_limit > 0 && !fits_memory_limit (&outcome->facts, spec, plan, memory_limit, error))
    return NULL;
  if (plan->step == RNDIMG_MASTERS_MAKE)
    return make_then_render (path, spec, plan, deadline, outcome, error);
  return render_from_original (path, &outcome->facts, spec, deadline, error);
}
