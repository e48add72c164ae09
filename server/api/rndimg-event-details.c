/* SPDX-License-Identifier: MIT */
/* What an event says of its picture, for the broker's describer
 * (rndimg_broker_set_describer()): where the picture is served and its
 * details as the catalogue and the placeholders know them
 * (rndimg_picture_json_append_details()).
 *
 * Every publish describes its event before its frames go out, so the
 * details are written once per picture and kept: a picture is never
 * changed once the catalogue shares it (a change makes a new one), and
 * its placeholder, once known, is that of its file's version. Only
 * complete details are kept, for at most RNDIMG_EVENT_DETAILS_KEPT
 * pictures (about 600 KB); past that the cache starts over. */
#include "rndimg-event-details.h"
#include "rndimg-picture-json.h"

struct _RndimgEventDetails
{
  RndimgCatalogue *catalogue;          /* borrowed */
  RndimgPlaceholders *placeholders;    /* borrowed */
  GHashTable *kept;                    /* RndimgPicture (a reference) -> its details (char *) */
};

/* Details for the pictures of @catalogue with the placeholders of
 * @placeholders (both borrowed: they must outlive it). */
RndimgEventDetails *
rndimg_event_details_new (RndimgCatalogue *catalogue, RndimgPlaceholders *placeholders)
{
  RndimgEventDetails *self = g_new0 (RndimgEventDetails, 1);

  self->catalogue = catalogue;
  self->placeholders = placeholders;
  self->kept = g_hash_table_new_full (NULL, NULL, (GDestroyNotify) rndimg_picture_unref, g_free);
  return self;
}

void
rndimg_event_details_free (RndimgEventDetails *self)
{
  g_hash_table_unref (self->kept);
  g_free (self);
}

/* An RndimgEventUrlPathFunc: where the event's picture is served. */
char *
rndimg_event_details_url_path (const char *name, gpointer event_details)
{
  return rndimg_picture_url_path (name);
}

/* An RndimgEventDescribeFunc: the event's picture as this node's catalogue
 * knows it; TRUE when complete (the picture and its BlurHash known). */
gboolean
rndimg_event_details_describe (const char *name, GString *members, gpointer event_details)
{
  RndimgEventDetails *self = event_details;
  g_autoptr(RndimgPicture) image = rndimg_catalogue_lookup_any (self->catalogue, name);
  const char *kept = image != NULL ? g_hash_table_lookup (self->kept, image) : NULL;
  gsize from = members->len;

  if (kept != NULL)
    {
      g_string_append (members, kept);
      return TRUE;
    }
  rndimg_picture_json_append_details (members, image, self->placeholders);
  if (image == NULL || rndimg_placeholders_lookup (self->placeholders, image) == NULL)
    return FALSE;
  if (g_hash_table_size (self->kept) >= RNDIMG_EVENT_DETAILS_KEPT)
    g_hash_table_remove_all (self->kept);
  g_hash_table_insert (self->kept, rndimg_picture_ref (image), g_strdup (members->str + from));
  return TRUE;
}
