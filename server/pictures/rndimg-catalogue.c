/* SPDX-License-Identifier: MIT */
/* The catalogue: every image file of its folders (the image folder, and
 * the uploads folder when that is another one), kept in step with them by
 * GFileMonitors; a name in an earlier folder hides the same name in a later
 * one. Each sub-folder with a safe name is an album, and each of its
 * sub-folders a sub-album (dog.ceo's breed and sub-breed); deeper folders
 * and unsafe names are skipped with a warning. A picture's name is its
 * path below the folder ("023.png", "dogs/001.png"). Only regular files
 * (never symlinks, nor through one) whose name is safe and whose first
 * bytes are a supported image are listed, so everything the server hands
 * out by name comes from this table. The albums index the pictures (see
 * rndimg-album.c) so that choices never walk them. */
#include "rndimg-catalogue.h"
#include "rndimg-choice.h"
#include "rndimg-image-type.h"
#include "rndimg-picture-header.h"
#include "rndimg-sidecar.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Album, sub-album: no deeper. */
#define MAX_ALBUM_DEPTH 2
/* A folder change that may add or drop albums is read after this pause. */
#define RESCAN_DELAY_MS 100
/* An info.json changed by hand is read after this pause: an editor's
 * several writes are read once, and meanwhile a write through the API is
 * refused (409), its view of the file being older than the file. */
#define SIDECAR_DELAY_MS 300

struct _RndimgCatalogue
{
  GObject parent_instance;

  GPtrArray *folders;    /* canonical paths; the first is the image folder */
  GStrv own_folders;     /* the server's own folders (state, variants, trash): never albums */
  GArray *own_ids;       /* FolderId of each of them that exists, as of the last scan */
  GHashTable *by_name;   /* name -> RndimgPicture (owned) */
  GHashTable *albums;    /* name -> RndimgAlbum; "" holds every picture */
  GHashTable *folders_read;  /* every folder the last scan read (set of paths) */
  GHashTable *monitors;  /* folder path -> FolderWatch, once watching */
  GHashTable *stamps;    /* folder path -> RndimgSidecarStamp of its info.json as last read */
  gboolean watching;
  guint rescan_id;
  GHashTable *sidecars_due;   /* albums whose info.json changed on disk (set) */
  guint sidecars_id;
};

G_DEFINE_FINAL_TYPE (RndimgCatalogue, rndimg_catalogue, G_TYPE_OBJECT)

/* One watched folder and the album it holds. */
typedef struct {
  RndimgCatalogue *catalogue;   /* borrowed: it owns us */
  char *album;
  GFileMonitor *monitor;
} FolderWatch;

static void
folder_watch_free (FolderWatch *watch)
{
  g_signal_handlers_disconnect_by_data (watch->monitor, watch);
  g_file_monitor_cancel (watch->monitor);
  g_object_unref (watch->monitor);
  g_free (watch->album);
  g_free (watch);
}

enum { IMAGE_ADDED, IMAGE_REMOVED, IMAGE_CHANGED, ALBUM_CHANGED, PICTURE_GONE, PICTURE_RETIRED, N_SIGNALS };
static guint signals[N_SIGNALS];

/* "dogs/puppies/001.png": an album name (one or two segments) before a
 * file name, or a file name alone. */
gboolean
rndimg_catalogue_name_is_valid (const char *name)
{
  const char *slash = strrchr (name, '/');
  g_autofree char *album = NULL;

  if (slash == NULL)
    return rndimg_image_type_name_is_allowed (name);
  album = g_strndup (name, (gsize) (slash - name));
  return rndimg_album_name_is_valid (album) && rndimg_image_type_name_is_allowed (slash + 1);
}

/* Opens @relative below @root one segment at a time, never following a
 * symlink. -1 when it cannot. */
static int
open_below (const char *root, const char *relative, int last_flags)
{
  g_auto(GStrv) segments = g_strsplit (relative, "/", -1);
  int dir = open (root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  for (guint i = 0; dir >= 0 && segments[i] != NULL; i++)
    {
      gboolean last = segments[i + 1] == NULL;
      int next = openat (dir, segments[i], O_RDONLY | O_NOFOLLOW | O_CLOEXEC | (last ? last_flags : O_DIRECTORY));

      close (dir);
      if (last)
        return next;
      dir = next;
    }
  return dir;
}

static char *
version_of (const struct stat *st)
{
  return g_strdup_printf ("%llx-%llx-%llx", (unsigned long long) st->st_mtim.tv_sec,
                          (unsigned long long) st->st_mtim.tv_nsec, (unsigned long long) st->st_size);
}

static void
modified_text (time_t seconds, char text[24])
{
  struct tm utc;

  gmtime_r (&seconds, &utc);
  strftime (text, 24, "%Y-%m-%dT%H:%M:%SZ", &utc);
}

static RndimgPicture *
image_new (const char *root, const char *name, const RndimgPictureHeader *header, const struct stat *st)
{
  RndimgPicture *image = g_rc_box_new0 (RndimgPicture);
  const char *slash = strrchr (name, '/');

  image->name = g_strdup (name);
  image->path = g_build_filename (root, name, NULL);
  image->file_name = slash != NULL ? strrchr (image->name, '/') + 1 : image->name;
  image->album = slash != NULL ? g_strndup (name, (gsize) (slash - name)) : g_strdup ("");
  image->content_type = header->content_type;
  image->size = st->st_size;
  image->modified_usec = (gint64) st->st_mtim.tv_sec * G_USEC_PER_SEC + st->st_mtim.tv_nsec / 1000;
  image->version = version_of (st);
  image->name_hash = rndimg_picture_hash (name, 0);
  image->sort_key = g_utf8_collate_key_for_filename (name, -1);
  image->url_path = rndimg_picture_url_path (name);
  modified_text (st->st_mtim.tv_sec, image->modified_text);
  image->width = header->width;
  image->height = header->height;
  image->orientation = rndimg_orientation_for_size (image->width, image->height);
  return image;
}

/* The picture's type and size, judged by its header as everywhere else
 * (rndimg-picture-header.c), with no pixel limit: a picture over
 * --max-input-pixels is listed (its file is served; its variants are
 * refused). A header that cannot be read leaves the size unknown (0):
 * the catalogue never lists a size it could not confirm. FALSE when the
 * bytes are no supported image at all. */
static gboolean
judge_header (const char *root, const char *name, int fd, RndimgPictureHeader *header)
{
  g_autoptr(GError) error = NULL;

  if (rndimg_picture_header_judge_fd (fd, RNDIMG_PICTURE_HEADER_NO_LIMIT, header, &error))
    return TRUE;
  if (header->content_type == NULL)
    return FALSE;
  g_warning ("%s/%s: listed without a size: %s", root, name, error->message);
  header->width = header->height = 0;
  return TRUE;
}

/* Opens without following symlinks and judges the header; NULL when the
 * file is not a supported image. @texts: the folder's info.json (NULL:
 * none). */
static RndimgPicture *
image_load (const char *root, const char *name, GHashTable *texts)
{
  RndimgPictureHeader header;
  RndimgPicture *image;
  RndimgPictureText *text;
  struct stat st;
  int fd;

  if (!rndimg_catalogue_name_is_valid (name))
    return NULL;
  fd = open_below (root, name, O_NONBLOCK);
  if (fd < 0)
    return NULL;
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      close (fd);
      return NULL;
    }
  image = judge_header (root, name, fd, &header) ? image_new (root, name, &header, &st) : NULL;
  close (fd);
  text = image != NULL && texts != NULL ? g_hash_table_lookup (texts, image->file_name) : NULL;
  if (text != NULL)
    image->text = rndimg_picture_text_ref (text);
  return image;
}

static RndimgAlbum *
ensure_album (RndimgCatalogue *self, const char *name)
{
  RndimgAlbum *album = g_hash_table_lookup (self->albums, name);

  if (album == NULL)
    {
      album = rndimg_album_new (name);
      g_hash_table_insert (self->albums, album->name, album);
    }
  return album;
}

/* Whether @name, or the album it is a sub-album of, is marked private. */
static gboolean
album_is_private (RndimgCatalogue *self, const char *name)
{
  const char *slash = strchr (name, '/');
  RndimgAlbum *album = g_hash_table_lookup (self->albums, name);

  if (album != NULL && album->marked_private)
    return TRUE;
  if (slash != NULL)
    {
      g_autofree char *parent = g_strndup (name, (gsize) (slash - name));
      RndimgAlbum *parent_album = g_hash_table_lookup (self->albums, parent);

      return parent_album != NULL && parent_album->marked_private;
    }
  return FALSE;
}

/* Sets the indexes @image (not shared yet) goes in from its album's
 * privacy now: a private album's pictures are in neither "" (every
 * picture: random picks, seeds, lists) nor a public parent. */
static void
mark_picture (RndimgCatalogue *self, RndimgPicture *image)
{
  const char *slash = strchr (image->album, '/');
  g_autofree char *parent = slash != NULL ? g_strndup (image->album, (gsize) (slash - image->album)) : NULL;

  image->is_private = image->album[0] != '\0' && album_is_private (self, image->album);
  image->listed_in_parent = parent != NULL && (!image->is_private || album_is_private (self, parent));
}

/* The albums @image is in, as marked: every public picture's "", its
 * album and, for a sub-album's picture, the parent album unless only the
 * sub-album is private. */
static void
for_each_album (RndimgCatalogue *self, RndimgPicture *image, void (*apply) (RndimgAlbum *, RndimgPicture *))
{
  const char *slash = strchr (image->album, '/');

  if (!image->is_private)
    apply (ensure_album (self, ""), image);
  if (image->album[0] == '\0')
    return;
  if (slash != NULL && image->listed_in_parent)
    {
      g_autofree char *parent = g_strndup (image->album, (gsize) (slash - image->album));
      apply (ensure_album (self, parent), image);
    }
  apply (ensure_album (self, image->album), image);
}

/* Lists @image (not shared yet) under its name, in place of any picture
 * of that name. */
static void
catalogue_insert (RndimgCatalogue *self, RndimgPicture *image)
{
  RndimgPicture *old = g_hash_table_lookup (self->by_name, image->name);

  mark_picture (self, image);
  if (old != NULL)
    for_each_album (self, old, rndimg_album_remove);
  for_each_album (self, image, rndimg_album_add);
  g_hash_table_replace (self->by_name, image->name, image);
}

/* Drops @name; @announce: "image-removed" is emitted. */
static gboolean
catalogue_drop (RndimgCatalogue *self, const char *name, gboolean announce)
{
  RndimgPicture *image = g_hash_table_lookup (self->by_name, name);

  if (image == NULL)
    return FALSE;
  for_each_album (self, image, rndimg_album_remove);
  if (announce)
    g_signal_emit (self, signals[IMAGE_REMOVED], 0, name);
  g_signal_emit (self, signals[PICTURE_GONE], 0, image);
  g_hash_table_remove (self->by_name, name);
  return TRUE;
}

static gboolean
catalogue_remove (RndimgCatalogue *self, const char *name)
{
  return catalogue_drop (self, name, TRUE);
}

/* Reads @root/@album's info.json (empty when none), and keeps its stamp. */
static RndimgSidecar *
read_sidecar (RndimgCatalogue *self, const char *root, const char *album)
{
  g_autofree char *path = g_build_filename (root, album, NULL);
  int fd = album[0] != '\0' ? open_below (root, album, O_DIRECTORY) : open (root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  RndimgSidecar *sidecar;

  if (fd < 0)
    return NULL;
  sidecar = rndimg_sidecar_read (fd, path);
  close (fd);
  g_hash_table_replace (self->stamps, g_steal_pointer (&path), g_memdup2 (&sidecar->stamp, sizeof sidecar->stamp));
  return sidecar;
}

/* The image called @name from the first folder that has it, or NULL. */
static RndimgPicture *
load_from_folders (RndimgCatalogue *self, const char *name)
{
  const char *slash = strrchr (name, '/');
  g_autofree char *album = slash != NULL ? g_strndup (name, (gsize) (slash - name)) : g_strdup ("");

  if (!rndimg_catalogue_name_is_valid (name))
    return NULL;
  for (guint i = 0; i < self->folders->len; i++)
    {
      const char *root = g_ptr_array_index (self->folders, i);
      g_autoptr(RndimgSidecar) sidecar = read_sidecar (self, root, album);
      RndimgPicture *image = image_load (root, name, sidecar != NULL ? sidecar->texts : NULL);

      if (image != NULL)
        return image;
    }
  return NULL;
}

/* What the info.json files of an album's folders say of it: the first
 * title found, and private if any of them says so. */
typedef struct {
  char *title;
  GHashTable *title_by_language;   /* NULL: none */
  gboolean marked_private;
} AlbumSettings;

static void
album_settings_free (AlbumSettings *settings)
{
  g_free (settings->title);
  g_clear_pointer (&settings->title_by_language, g_hash_table_unref);
  g_free (settings);
}

static void
album_settings_merge (GHashTable *settings, const char *album, const RndimgSidecar *sidecar)
{
  AlbumSettings *merged = g_hash_table_lookup (settings, album);

  if (merged == NULL)
    {
      merged = g_new0 (AlbumSettings, 1);
      g_hash_table_insert (settings, g_strdup (album), merged);
    }
  if (merged->title == NULL && sidecar->title != NULL)
    {
      merged->title = g_strdup (sidecar->title);
      merged->title_by_language = sidecar->title_by_language != NULL
                                  ? g_hash_table_ref (sidecar->title_by_language) : NULL;
    }
  merged->marked_private |= sidecar->is_private;
}

/* What one scan found. */
typedef struct {
  RndimgCatalogue *catalogue;
  GHashTable *images;    /* name -> RndimgPicture */
  GHashTable *albums;    /* album names with a folder (set) */
  GHashTable *folders;   /* every folder read: path (set) */
  GHashTable *settings;  /* album name -> AlbumSettings */
} Scan;

static gboolean scan_folder (const char *root, const char *album, Scan *scan, GError **error);

/* A folder by what it is, not how its path is spelled. */
typedef struct {
  guint32 device;
  guint64 inode;
} FolderId;

/* Notes which of the server's own folders exist now, for a scan to pass
 * them by (the state folder may be the uploads folder: systemd's). */
static void
note_own_folders (RndimgCatalogue *self)
{
  g_array_set_size (self->own_ids, 0);
  for (guint i = 0; self->own_folders != NULL && self->own_folders[i] != NULL; i++)
    {
      struct stat st;

      if (stat (self->own_folders[i], &st) == 0 && S_ISDIR (st.st_mode))
        g_array_append_val (self->own_ids, ((FolderId) { (guint32) st.st_dev, (guint64) st.st_ino }));
    }
}

static gboolean
is_own_folder (RndimgCatalogue *self, guint32 device, guint64 inode)
{
  for (guint i = 0; i < self->own_ids->len; i++)
    {
      FolderId *id = &g_array_index (self->own_ids, FolderId, i);

      if (id->device == device && id->inode == inode)
        return TRUE;
    }
  return FALSE;
}

/* Whether @path is one of the server's own folders (an album may not be
 * made there). */
gboolean
rndimg_catalogue_is_own_folder (RndimgCatalogue *self, const char *path)
{
  struct stat st;

  note_own_folders (self);
  return stat (path, &st) == 0 && is_own_folder (self, (guint32) st.st_dev, (guint64) st.st_ino);
}

static void
scan_child (const char *root, const char *album, GFileInfo *info, GHashTable *texts, Scan *scan)
{
  const char *child = g_file_info_get_name (info);
  g_autofree char *name = album[0] != '\0' ? g_strconcat (album, "/", child, NULL) : g_strdup (child);
  guint depth = album[0] == '\0' ? 0 : strchr (album, '/') != NULL ? 2 : 1;

  if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
    {
      if (child[0] == '.' ||
          is_own_folder (scan->catalogue, g_file_info_get_attribute_uint32 (info, G_FILE_ATTRIBUTE_UNIX_DEVICE),
                         g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_UNIX_INODE)))
        return;
      if (depth >= MAX_ALBUM_DEPTH || !rndimg_album_name_is_valid (child))
        g_warning ("folder %s/%s skipped: an album name is lower-case letters, digits, '-' and '_' "
                   "(at most 64 bytes), and albums go two levels deep", root, name);
      else
        scan_folder (root, name, scan, NULL);
      return;
    }
  if (!g_hash_table_contains (scan->images, name) && g_file_info_get_file_type (info) == G_FILE_TYPE_REGULAR)
    {
      RndimgPicture *image = image_load (root, name, texts);

      if (image != NULL)
        g_hash_table_insert (scan->images, image->name, image);
    }
}

/* Adds every image of @root/@album (and its sub-albums) whose name is not
 * listed yet. */
static gboolean
scan_folder (const char *root, const char *album, Scan *scan, GError **error)
{
  g_autofree char *path = g_build_filename (root, album, NULL);
  g_autoptr(GFile) folder = g_file_new_for_path (path);
  g_autoptr(GFileEnumerator) children = NULL;
  g_autoptr(RndimgSidecar) sidecar = NULL;
  GFileInfo *info;

  children = g_file_enumerate_children (folder,
                                        G_FILE_ATTRIBUTE_STANDARD_NAME "," G_FILE_ATTRIBUTE_STANDARD_TYPE ","
                                        G_FILE_ATTRIBUTE_UNIX_DEVICE "," G_FILE_ATTRIBUTE_UNIX_INODE,
                                        G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, error);
  if (children == NULL)
    return FALSE;
  if (album[0] != '\0')
    g_hash_table_add (scan->albums, g_strdup (album));
  g_hash_table_add (scan->folders, g_strdup (path));
  sidecar = read_sidecar (scan->catalogue, root, album);
  if (sidecar != NULL && album[0] != '\0')
    album_settings_merge (scan->settings, album, sidecar);
  while (g_file_enumerator_iterate (children, &info, NULL, NULL, error) && info != NULL)
    scan_child (root, album, info, sidecar != NULL ? sidecar->texts : NULL, scan);
  return error == NULL || *error == NULL;
}

static void sync_monitors (RndimgCatalogue *self, GHashTable *folders);

/* Whether @album's title (or its translations) or mark changed; sets them. */
static gboolean
album_settle_settings (RndimgAlbum *album, const AlbumSettings *settings)
{
  const char *title = settings != NULL ? settings->title : NULL;
  GHashTable *languages = settings != NULL ? settings->title_by_language : NULL;
  gboolean marked = settings != NULL && settings->marked_private;
  gboolean changed = g_strcmp0 (album->title, title) != 0 ||
                     !rndimg_sidecar_languages_equal (album->title_by_language, languages) ||
                     album->marked_private != marked;

  g_free (album->title);
  album->title = g_strdup (title);
  g_clear_pointer (&album->title_by_language, g_hash_table_unref);
  album->title_by_language = languages != NULL ? g_hash_table_ref (languages) : NULL;
  album->marked_private = marked;
  return changed;
}

/* Each album's privacy from the marks; adds to @changed the albums whose
 * privacy changed. */
static void
update_privacy (RndimgCatalogue *self, GPtrArray *changed)
{
  GHashTableIter iter;
  RndimgAlbum *album;

  g_hash_table_iter_init (&iter, self->albums);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &album))
    {
      gboolean was_private = album->is_private;

      album->is_private = album->name[0] != '\0' && album_is_private (self, album->name);
      if (was_private != album->is_private && !g_ptr_array_find_with_equal_func (changed, album->name, g_str_equal, NULL))
        g_ptr_array_add (changed, g_strdup (album->name));
    }
}

/* Every album's title and privacy from @settings (an album it does not
 * name has neither); returns (transfer container) the names of the albums
 * whose title or privacy changed. */
static GPtrArray *
apply_album_settings (RndimgCatalogue *self, GHashTable *settings)
{
  GPtrArray *changed = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  gpointer name;
  RndimgAlbum *album;

  g_hash_table_iter_init (&iter, settings);
  while (g_hash_table_iter_next (&iter, &name, NULL))
    ensure_album (self, name);
  g_hash_table_iter_init (&iter, self->albums);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &album))
    if (album->name[0] != '\0' && album_settle_settings (album, g_hash_table_lookup (settings, album->name)))
      g_ptr_array_add (changed, g_strdup (album->name));
  update_privacy (self, changed);
  return changed;
}

/* Lists again, with the indexes their albums' privacy now asks for, the
 * pictures of @albums whose privacy no longer matches. */
static void
remark_pictures (RndimgCatalogue *self, GPtrArray *albums)
{
  g_autoptr(GPtrArray) changed = g_ptr_array_new_with_free_func ((GDestroyNotify) rndimg_picture_unref);
  GHashTableIter iter;
  RndimgPicture *image;

  g_hash_table_iter_init (&iter, self->by_name);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &image))
    {
      RndimgPicture probe = *image;

      if (albums->len == 0 || image->album[0] == '\0')
        continue;
      mark_picture (self, &probe);
      if (probe.is_private != image->is_private || probe.listed_in_parent != image->listed_in_parent)
        g_ptr_array_add (changed, rndimg_picture_copy (image));
    }
  for (guint i = 0; i < changed->len; i++)
    catalogue_insert (self, rndimg_picture_ref (g_ptr_array_index (changed, i)));
}

static void
announce_albums (RndimgCatalogue *self, GPtrArray *albums)
{
  for (guint i = 0; i < albums->len; i++)
    g_signal_emit (self, signals[ALBUM_CHANGED], 0, (const char *) g_ptr_array_index (albums, i));
}

/* Albums no folder holds any more and no picture is in are dropped. */
static void
settle_albums (RndimgCatalogue *self, GHashTable *albums_with_folders)
{
  GHashTableIter iter;
  RndimgAlbum *album;

  g_hash_table_iter_init (&iter, self->albums);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &album))
    {
      album->has_folder = g_hash_table_contains (albums_with_folders, album->name);
      if (album->name[0] != '\0' && !album->has_folder && rndimg_album_count (album) == 0)
        g_hash_table_iter_remove (&iter);
    }
  g_hash_table_iter_init (&iter, albums_with_folders);
  while (g_hash_table_iter_next (&iter, (gpointer *) &album, NULL))
    ensure_album (self, (const char *) album)->has_folder = TRUE;
}

/* Lists the folders again from scratch: names gone are dropped (and
 * announced as removed), the rest replaced by what is on disk now. */
static gboolean
catalogue_scan (RndimgCatalogue *self, GError **error)
{
  Scan scan = {
    self,
    g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) rndimg_picture_unref),
    g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL),
    g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL),
    g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) album_settings_free),
  };
  g_autofree const char **old_names = NULL;
  g_autoptr(GPtrArray) changed_albums = NULL;
  g_autoptr(GPtrArray) retexted = g_ptr_array_new_with_free_func ((GDestroyNotify) rndimg_picture_unref);
  GHashTableIter iter;
  gpointer image;
  gboolean ok = TRUE;

  note_own_folders (self);
  for (guint i = 0; ok && i < self->folders->len; i++)
    if (!scan_folder (g_ptr_array_index (self->folders, i), "", &scan, error))
      {
        g_prefix_error (error, "cannot read folder %s: ", (const char *) g_ptr_array_index (self->folders, i));
        ok = FALSE;
      }
  if (ok)
    {
      old_names = (const char **) g_hash_table_get_keys_as_array (self->by_name, NULL);
      for (gsize i = 0; old_names[i] != NULL; i++)
        if (!g_hash_table_contains (scan.images, old_names[i]))
          catalogue_remove (self, old_names[i]);
      /* Privacy first: each picture is listed as its album now asks. */
      changed_albums = apply_album_settings (self, scan.settings);
      g_hash_table_iter_init (&iter, scan.images);
      while (g_hash_table_iter_next (&iter, NULL, &image))
        {
          RndimgPicture *old = g_hash_table_lookup (self->by_name, ((RndimgPicture *) image)->name);

          if (old != NULL && g_str_equal (old->version, ((RndimgPicture *) image)->version) &&
              !rndimg_picture_text_equal (old->text, ((RndimgPicture *) image)->text))
            g_ptr_array_add (retexted, rndimg_picture_ref (image));
          catalogue_insert (self, image);
          g_hash_table_iter_steal (&iter);
        }
      settle_albums (self, scan.albums);
      announce_albums (self, changed_albums);
      for (guint i = 0; i < retexted->len; i++)
        g_signal_emit (self, signals[IMAGE_CHANGED], 0, g_ptr_array_index (retexted, i));
      g_clear_pointer (&self->folders_read, g_hash_table_unref);
      self->folders_read = g_steal_pointer (&scan.folders);
      if (self->watching)
        sync_monitors (self, self->folders_read);
    }
  g_hash_table_unref (scan.images);
  g_hash_table_unref (scan.albums);
  g_hash_table_unref (scan.settings);
  g_clear_pointer (&scan.folders, g_hash_table_unref);
  return ok;
}

static void
rndimg_catalogue_finalize (GObject *object)
{
  RndimgCatalogue *self = RNDIMG_CATALOGUE (object);

  g_clear_handle_id (&self->rescan_id, g_source_remove);
  g_clear_handle_id (&self->sidecars_id, g_source_remove);
  g_clear_pointer (&self->sidecars_due, g_hash_table_unref);
  g_clear_pointer (&self->monitors, g_hash_table_unref);
  g_clear_pointer (&self->own_folders, g_strfreev);
  g_clear_pointer (&self->own_ids, g_array_unref);
  g_clear_pointer (&self->stamps, g_hash_table_unref);
  g_clear_pointer (&self->folders_read, g_hash_table_unref);
  g_clear_pointer (&self->folders, g_ptr_array_unref);
  g_clear_pointer (&self->albums, g_hash_table_unref);
  g_clear_pointer (&self->by_name, g_hash_table_unref);

  G_OBJECT_CLASS (rndimg_catalogue_parent_class)->finalize (object);
}

static void
rndimg_catalogue_class_init (RndimgCatalogueClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rndimg_catalogue_finalize;

  /* (RndimgCatalogue *, RndimgPicture *): a name that was not there before. */
  signals[IMAGE_ADDED] = g_signal_new ("image-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                       0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
  signals[IMAGE_REMOVED] = g_signal_new ("image-removed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  /* (RndimgCatalogue *, RndimgPicture *): the same file, another text
   * (its info.json changed). */
  signals[IMAGE_CHANGED] = g_signal_new ("image-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
  /* (RndimgCatalogue *, RndimgPicture *): a name left the catalogue,
   * whatever the cause (a delete, a move, a file gone): what was made from
   * it goes too. */
  signals[PICTURE_GONE] = g_signal_new ("picture-gone", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                        0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
  /* (RndimgCatalogue *, const char *album): its title or privacy changed. */
  /* (RndimgCatalogue *, const char *name): @name was deleted for good or
   * moved to another name by a write (not a file that merely left the
   * folder): what is kept by name (Lorem Picsum's number) must not come
   * back for it. */
  signals[PICTURE_RETIRED] = g_signal_new ("picture-retired", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                           0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[ALBUM_CHANGED] = g_signal_new ("album-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
rndimg_catalogue_init (RndimgCatalogue *self)
{
  self->by_name = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                         (GDestroyNotify) rndimg_picture_unref);
  self->albums = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) rndimg_album_free);
  ensure_album (self, "");
  self->folders = g_ptr_array_new_with_free_func (g_free);
  self->own_ids = g_array_new (FALSE, FALSE, sizeof (FolderId));
  self->monitors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) folder_watch_free);
  self->stamps = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->sidecars_due = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

/* Fails when @directory cannot be read or holds no image at all. Uploads
 * go into @uploads_directory (made when missing), which may be the same.
 * @own_folders (NULL-terminated, may be NULL) are the server's own, never
 * read as albums wherever they are. */
RndimgCatalogue *
rndimg_catalogue_new (const char *directory, const char *uploads_directory, const char *const *own_folders,
                      GError **error)
{
  g_autoptr(RndimgCatalogue) self = g_object_new (RNDIMG_TYPE_CATALOGUE, NULL);
  g_autofree char *uploads = g_canonicalize_filename (uploads_directory, NULL);

  self->own_folders = g_strdupv ((GStrv) own_folders);

  g_ptr_array_add (self->folders, g_canonicalize_filename (directory, NULL));
  if (!g_file_test (g_ptr_array_index (self->folders, 0), G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "cannot read image folder %s: no such folder",
                   (const char *) g_ptr_array_index (self->folders, 0));
      return NULL;
    }
  if (!g_str_equal (uploads, g_ptr_array_index (self->folders, 0)))
    {
      if (g_mkdir_with_parents (uploads, 0755) != 0)
        {
          int saved_errno = errno;
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       "cannot make the uploads folder %s: %s", uploads, g_strerror (saved_errno));
          return NULL;
        }
      g_ptr_array_add (self->folders, g_steal_pointer (&uploads));
    }
  if (!catalogue_scan (self, error))
    return NULL;
  if (g_hash_table_size (self->by_name) == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "no PNG, JPEG, GIF or WebP image in folder %s", (const char *) g_ptr_array_index (self->folders, 0));
      return NULL;
    }
  return g_steal_pointer (&self);
}

/* SIGHUP: reads the folders again, in case a change was missed. */
gboolean
rndimg_catalogue_rescan (RndimgCatalogue *self, GError **error)
{
  return catalogue_scan (self, error);
}

const char *
rndimg_catalogue_get_directory (RndimgCatalogue *self)
{
  return g_ptr_array_index (self->folders, 0);
}

/* How many pictures anyone may see (private albums' are not counted). */
guint
rndimg_catalogue_get_count (RndimgCatalogue *self)
{
  return rndimg_album_count (g_hash_table_lookup (self->albums, ""));
}

/* How many pictures there are, private albums' too. */
guint
rndimg_catalogue_get_count_all (RndimgCatalogue *self)
{
  return g_hash_table_size (self->by_name);
}

/* Returns (transfer full) the picture called @name, a private album's
 * too (for the server's own work, never an answer), or NULL. */
RndimgPicture *
rndimg_catalogue_lookup_any (RndimgCatalogue *self, const char *name)
{
  RndimgPicture *image = g_hash_table_lookup (self->by_name, name);

  return image != NULL ? rndimg_picture_ref (image) : NULL;
}

/* Returns (transfer full) the picture called @name that @access may see
 * (NULL: anyone), or NULL: a private album's picture is not found. */
RndimgPicture *
rndimg_catalogue_lookup_for (RndimgCatalogue *self, const char *name, const RndimgAccess *access)
{
  RndimgPicture *image = g_hash_table_lookup (self->by_name, name);

  if (image == NULL || (image->is_private && !rndimg_access_may_read (access, image->album)))
    return NULL;
  return rndimg_picture_ref (image);
}

/* Returns (transfer full) the picture called @name if anyone may see it
 * (not in a private album), or NULL. */
RndimgPicture *
rndimg_catalogue_lookup (RndimgCatalogue *self, const char *name)
{
  return rndimg_catalogue_lookup_for (self, name, NULL);
}

/* Whether @access (NULL: anyone) may see the album called @name. */
static gboolean
album_visible (RndimgAlbum *album, const RndimgAccess *access)
{
  return !album->is_private || rndimg_access_may_read (access, album->name);
}

/* The album called @name ("" is every public picture) that @access (NULL:
 * anyone) may see, borrowed; NULL if none. */
RndimgAlbum *
rndimg_catalogue_get_album_for (RndimgCatalogue *self, const char *name, const RndimgAccess *access)
{
  RndimgAlbum *album = g_hash_table_lookup (self->albums, name);

  return album != NULL && album_visible (album, access) ? album : NULL;
}

/* The album called @name if anyone may see it, borrowed; NULL if none. */
RndimgAlbum *
rndimg_catalogue_get_album (RndimgCatalogue *self, const char *name)
{
  return rndimg_catalogue_get_album_for (self, name, NULL);
}

/* The album called @name, private or not, borrowed; NULL if none. */
RndimgAlbum *
rndimg_catalogue_get_album_any (RndimgCatalogue *self, const char *name)
{
  return g_hash_table_lookup (self->albums, name);
}

/* Whether the album called @name is private (unknown ones are not). */
gboolean
rndimg_catalogue_album_is_private (RndimgCatalogue *self, const char *name)
{
  RndimgAlbum *album = g_hash_table_lookup (self->albums, name);

  return album != NULL && album->is_private;
}

/* By name, '/' before every other character: a sub-album comes right after
 * its parent ("dogs", "dogs/puppies", "dogs-x"). */
static gint
compare_album_names (gconstpointer a, gconstpointer b)
{
  const guchar *left = (const guchar *) (*(RndimgAlbum *const *) a)->name;
  const guchar *right = (const guchar *) (*(RndimgAlbum *const *) b)->name;

  for (; *left != '\0' && *left == *right; left++, right++)
    ;
  return (*left == '/' ? 1 : *left) - (*right == '/' ? 1 : *right);
}

/* Returns (transfer container) every album but "" that @access (NULL:
 * anyone) may see, by name; "dogs" comes right before "dogs/puppies". */
GPtrArray *
rndimg_catalogue_list_albums_for (RndimgCatalogue *self, const RndimgAccess *access)
{
  GPtrArray *albums = g_ptr_array_new ();
  GHashTableIter iter;
  RndimgAlbum *album;

  g_hash_table_iter_init (&iter, self->albums);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &album))
    if (album->name[0] != '\0' && album_visible (album, access))
      g_ptr_array_add (albums, album);
  g_ptr_array_sort (albums, compare_album_names);
  return albums;
}

/* Returns (transfer container) every album anyone may see, by name. */
GPtrArray *
rndimg_catalogue_list_albums (RndimgCatalogue *self)
{
  return rndimg_catalogue_list_albums_for (self, NULL);
}

static gboolean
parent_is_listed (const char *album, const char *const *albums)
{
  const char *slash = strchr (album, '/');

  if (slash == NULL)
    return FALSE;
  for (guint i = 0; albums[i] != NULL; i++)
    if (strlen (albums[i]) == (gsize) (slash - album) && strncmp (albums[i], album, (gsize) (slash - album)) == 0)
      return TRUE;
  return FALSE;
}

/* Returns (transfer full) up to @count different pictures from @albums
 * (NULL: all public ones), of @orientation, not in @excluded, by @seed
 * (NULL: at random). NULL with G_IO_ERROR_NOT_FOUND naming an unknown (or
 * private) album. */
GPtrArray *
rndimg_catalogue_choose (RndimgCatalogue *self, const char *const *albums, RndimgOrientation orientation,
                         const char *seed, GHashTable *excluded, guint count, GError **error)
{
  return rndimg_catalogue_choose_for (self, NULL, albums, orientation, seed, excluded, count, error);
}

/* rndimg_catalogue_choose() as @access (NULL: anyone) sees the albums: a
 * private album it may not read is not found. */
GPtrArray *
rndimg_catalogue_choose_for (RndimgCatalogue *self, const RndimgAccess *access, const char *const *albums,
                             RndimgOrientation orientation, const char *seed, GHashTable *excluded, guint count,
                             GError **error)
{
  g_autoptr(GPtrArray) pool = g_ptr_array_new ();
  RndimgChoice choice = { pool, orientation, seed, excluded, count };

  for (guint i = 0; albums != NULL && albums[i] != NULL; i++)
    {
      RndimgAlbum *album = rndimg_catalogue_get_album_for (self, albums[i], access);

      if (album == NULL || albums[i][0] == '\0')
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no album called %s", albums[i]);
          return NULL;
        }
      /* Every picture once: a sub-album whose parent is asked for too is in it. */
      if (!g_ptr_array_find (pool, album, NULL) && !parent_is_listed (albums[i], albums))
        g_ptr_array_add (pool, album);
    }
  if (albums == NULL)
    g_ptr_array_add (pool, g_hash_table_lookup (self->albums, ""));
  return rndimg_choice_pick (&choice);
}

/* Returns (transfer full) a uniformly random image other than @exclude
 * (when there is another one), or NULL when the catalogue is empty. */
RndimgPicture *
rndimg_catalogue_pick_random (RndimgCatalogue *self, const char *exclude)
{
  g_autoptr(GHashTable) excluded = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) picked = NULL;

  if (exclude != NULL && g_hash_table_size (self->by_name) > 1)
    g_hash_table_add (excluded, (gpointer) exclude);
  picked = rndimg_catalogue_choose (self, NULL, RNDIMG_ORIENTATION_ANY, NULL, excluded, 1, NULL);
  return picked->len > 0 ? rndimg_picture_ref (g_ptr_array_index (picked, 0)) : NULL;
}

/* Returns (transfer full) every picture, private albums' too, in no order. */
GPtrArray *
rndimg_catalogue_list_all (RndimgCatalogue *self)
{
  GPtrArray *list = g_ptr_array_new_full (g_hash_table_size (self->by_name), (GDestroyNotify) rndimg_picture_unref);
  GHashTableIter iter;
  gpointer image;

  g_hash_table_iter_init (&iter, self->by_name);
  while (g_hash_table_iter_next (&iter, NULL, &image))
    g_ptr_array_add (list, rndimg_picture_ref (image));
  return list;
}

/* Returns (transfer full) every picture anyone may see in natural name
 * order (2 before 10). */
GPtrArray *
rndimg_catalogue_list (RndimgCatalogue *self)
{
  GPtrArray *sorted = rndimg_album_sorted (g_hash_table_lookup (self->albums, ""));
  GPtrArray *list = g_ptr_array_new_full (sorted->len, (GDestroyNotify) rndimg_picture_unref);

  for (guint i = 0; i < sorted->len; i++)
    g_ptr_array_add (list, rndimg_picture_ref (g_ptr_array_index (sorted, i)));
  return list;
}

/* Reads @name again from the folder: adds, updates or drops it. With
 * @announce, emits "image-added" for a name that is new. Returns (transfer
 * full) the image now listed under @name, or NULL. */
RndimgPicture *
rndimg_catalogue_refresh (RndimgCatalogue *self, const char *name, gboolean announce)
{
  RndimgPicture *image = load_from_folders (self, name);
  gboolean is_new;

  if (image == NULL)
    {
      catalogue_remove (self, name);
      return NULL;
    }
  is_new = !g_hash_table_contains (self->by_name, name);
  catalogue_insert (self, image);
  if (is_new && announce)
    g_signal_emit (self, signals[IMAGE_ADDED], 0, image);
  return rndimg_picture_ref (image);
}

/* The folder of the catalogue @image lives in (borrowed); NULL if none. */
const char *
rndimg_catalogue_root_of (RndimgCatalogue *self, const RndimgPicture *image)
{
  for (guint i = 0; i < self->folders->len; i++)
    {
      const char *root = g_ptr_array_index (self->folders, i);
      gsize length = strlen (root);

      if (strncmp (image->path, root, length) == 0 && image->path[length] == '/')
        return root;
    }
  return NULL;
}

/* @album's pictures (not a sub-album's) with the texts @sidecars (root ->
 * RndimgSidecar) give them; adds each one whose text changed to @changed. */
static void
reload_texts (RndimgCatalogue *self, RndimgAlbum *album, GHashTable *sidecars, GPtrArray *changed)
{
  GPtrArray *members = album->members[RNDIMG_ORIENTATION_ANY];
  g_autoptr(GPtrArray) retexted = g_ptr_array_new ();

  for (guint i = 0; i < members->len; i++)
    {
      RndimgPicture *image = g_ptr_array_index (members, i);
      const char *root = rndimg_catalogue_root_of (self, image);
      RndimgSidecar *sidecar = root != NULL ? g_hash_table_lookup (sidecars, root) : NULL;
      RndimgPictureText *text = sidecar != NULL ? g_hash_table_lookup (sidecar->texts, image->file_name) : NULL;

      if (g_str_equal (image->album, album->name) && !rndimg_picture_text_equal (image->text, text))
        {
          RndimgPicture *copy = rndimg_picture_copy (image);

          g_clear_pointer (&copy->text, rndimg_picture_text_unref);
          copy->text = text != NULL ? rndimg_picture_text_ref (text) : NULL;
          g_ptr_array_add (retexted, copy);
        }
    }
  for (guint i = 0; i < retexted->len; i++)
    {
      RndimgPicture *image = g_ptr_array_index (retexted, i);

      catalogue_insert (self, image);
      g_ptr_array_add (changed, rndimg_picture_ref (image));
    }
}

/* Reads @album's info.json files again ("": the top folder's): its title
 * and privacy, and its pictures' texts. Returns (transfer full) the
 * pictures whose text changed, as listed now; with @announce, emits
 * "image-changed" for each and "album-changed" when the title or the
 * privacy of an album changed (a sub-album's follows its parent's). */
GPtrArray *
rndimg_catalogue_reload_album (RndimgCatalogue *self, const char *album, gboolean announce)
{
  g_autoptr(GHashTable) sidecars = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                          (GDestroyNotify) rndimg_sidecar_free);
  g_autoptr(GHashTable) settings = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                          (GDestroyNotify) album_settings_free);
  g_autoptr(GPtrArray) changed_albums = g_ptr_array_new_with_free_func (g_free);
  GPtrArray *changed = g_ptr_array_new_with_free_func ((GDestroyNotify) rndimg_picture_unref);
  RndimgAlbum *found = g_hash_table_lookup (self->albums, album);

  for (guint i = 0; i < self->folders->len; i++)
    {
      const char *root = g_ptr_array_index (self->folders, i);
      RndimgSidecar *sidecar = read_sidecar (self, root, album);

      if (sidecar == NULL)
        continue;
      g_hash_table_insert (sidecars, (gpointer) root, sidecar);
      if (album[0] != '\0')
        album_settings_merge (settings, album, sidecar);
    }
  if (found == NULL)
    return changed;
  if (album[0] != '\0' && album_settle_settings (found, g_hash_table_lookup (settings, album)))
    g_ptr_array_add (changed_albums, g_strdup (album));
  update_privacy (self, changed_albums);
  if (changed_albums->len > 0)
    remark_pictures (self, changed_albums);
  reload_texts (self, found, sidecars, changed);
  if (!announce)
    return changed;
  for (guint i = 0; i < changed->len; i++)
    g_signal_emit (self, signals[IMAGE_CHANGED], 0, g_ptr_array_index (changed, i));
  announce_albums (self, changed_albums);
  return changed;
}

static gboolean
on_rescan_due (gpointer user_data)
{
  RndimgCatalogue *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree const char **before = (const char **) g_hash_table_get_keys_as_array (self->by_name, NULL);
  g_autoptr(GHashTable) known = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GHashTableIter iter;
  gpointer image;

  self->rescan_id = 0;
  for (gsize i = 0; before[i] != NULL; i++)
    g_hash_table_add (known, g_strdup (before[i]));
  if (!catalogue_scan (self, &error))
    {
      g_warning ("%s", error->message);
      return G_SOURCE_REMOVE;
    }
  /* A folder that came in brings its pictures: announce each. */
  g_hash_table_iter_init (&iter, self->by_name);
  while (g_hash_table_iter_next (&iter, NULL, &image))
    if (!g_hash_table_contains (known, ((RndimgPicture *) image)->name))
      g_signal_emit (self, signals[IMAGE_ADDED], 0, image);
  return G_SOURCE_REMOVE;
}

static gboolean
on_sidecars_due (gpointer user_data)
{
  RndimgCatalogue *self = user_data;
  g_autoptr(GHashTable) due = g_steal_pointer (&self->sidecars_due);
  GHashTableIter iter;
  gpointer album;

  self->sidecars_id = 0;
  self->sidecars_due = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_hash_table_iter_init (&iter, due);
  while (g_hash_table_iter_next (&iter, &album, NULL))
    {
      g_autoptr(GPtrArray) changed = rndimg_catalogue_reload_album (self, album, TRUE);
    }
  return G_SOURCE_REMOVE;
}

static void
schedule_sidecar_reload (RndimgCatalogue *self, const char *album)
{
  g_hash_table_add (self->sidecars_due, g_strdup (album));
  if (self->sidecars_id == 0)
    self->sidecars_id = g_timeout_add (SIDECAR_DELAY_MS, on_sidecars_due, self);
}

static void
schedule_rescan (RndimgCatalogue *self)
{
  if (self->rescan_id == 0)
    self->rescan_id = g_timeout_add (RESCAN_DELAY_MS, on_rescan_due, self);
}

/* A change that is not one picture's: a sub-folder or an info.json. */
static gboolean
changes_albums (RndimgCatalogue *self, const char *album, const char *child, GFile *file)
{
  g_autofree char *as_album = album[0] != '\0' ? g_strconcat (album, "/", child, NULL) : g_strdup (child);

  return g_str_equal (child, RNDIMG_SIDECAR_NAME) ||
         g_hash_table_contains (self->albums, as_album) ||
         g_file_query_file_type (file, G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL) == G_FILE_TYPE_DIRECTORY;
}

static char *
name_in (const char *album, GFile *file)
{
  g_autofree char *child = g_file_get_basename (file);

  return album[0] != '\0' ? g_strconcat (album, "/", child, NULL) : g_steal_pointer (&child);
}

static void
on_folder_changed (GFileMonitor *monitor, GFile *file, GFile *other,
                   GFileMonitorEvent event, gpointer user_data)
{
  FolderWatch *watch = user_data;
  RndimgCatalogue *self = watch->catalogue;
  const char *album = watch->album;
  g_autofree char *child = g_file_get_basename (file);
  g_autofree char *name = name_in (album, file);
  g_autofree char *other_name = other != NULL ? name_in (album, other) : NULL;
  g_autofree char *other_child = other != NULL ? g_file_get_basename (other) : NULL;
  g_autoptr(RndimgPicture) image = NULL;

  /* An info.json written in place, or put there by a rename (editors and
   * atomic writes do that): its album's texts and settings. */
  if (g_str_equal (child, RNDIMG_SIDECAR_NAME) || g_strcmp0 (other_child, RNDIMG_SIDECAR_NAME) == 0)
    {
      schedule_sidecar_reload (self, album);
      return;
    }
  if (changes_albums (self, album, child, file) ||
      (other != NULL && event == G_FILE_MONITOR_EVENT_RENAMED &&
       g_file_query_file_type (other, G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL) == G_FILE_TYPE_DIRECTORY))
    {
      schedule_rescan (self);
      return;
    }
  switch (event)
    {
    /* Only complete files: a copy still being written has had no
     * CHANGES_DONE yet, and an upload arrives by rename. */
    case G_FILE_MONITOR_EVENT_CHANGES_DONE_HINT:
    case G_FILE_MONITOR_EVENT_MOVED_IN:
      image = rndimg_catalogue_refresh (self, name, TRUE);
      break;
    case G_FILE_MONITOR_EVENT_RENAMED:
      catalogue_remove (self, name);
      image = rndimg_catalogue_refresh (self, other_name, TRUE);
      break;
    case G_FILE_MONITOR_EVENT_DELETED:
    case G_FILE_MONITOR_EVENT_MOVED_OUT:
      catalogue_remove (self, name);
      break;
    default:
      break;
    }
}

/* The album a folder path below one of the roots stands for. */
static const char *
album_of_folder (RndimgCatalogue *self, const char *path)
{
  for (guint i = 0; i < self->folders->len; i++)
    {
      const char *root = g_ptr_array_index (self->folders, i);
      gsize length = strlen (root);

      if (g_str_equal (path, root))
        return "";
      if (strncmp (path, root, length) == 0 && path[length] == '/')
        return path + length + 1;
    }
  return "";
}

static gboolean
add_monitor (RndimgCatalogue *self, const char *path, GError **error)
{
  g_autoptr(GFile) folder = g_file_new_for_path (path);
  GFileMonitor *monitor = g_file_monitor_directory (folder, G_FILE_MONITOR_WATCH_MOVES, NULL, error);
  FolderWatch *watch;

  if (monitor == NULL)
    return FALSE;
  watch = g_new0 (FolderWatch, 1);
  watch->catalogue = self;
  watch->album = g_strdup (album_of_folder (self, path));
  watch->monitor = monitor;
  g_file_monitor_set_rate_limit (monitor, 200);
  g_signal_connect (monitor, "changed", G_CALLBACK (on_folder_changed), watch);
  g_hash_table_insert (self->monitors, g_strdup (path), watch);
  return TRUE;
}

/* One monitor per folder read: new album folders get one, gone ones lose it. */
static void
sync_monitors (RndimgCatalogue *self, GHashTable *folders)
{
  GHashTableIter iter;
  gpointer path;

  g_hash_table_iter_init (&iter, self->monitors);
  while (g_hash_table_iter_next (&iter, &path, NULL))
    if (!g_hash_table_contains (folders, path))
      g_hash_table_iter_remove (&iter);
  g_hash_table_iter_init (&iter, folders);
  while (g_hash_table_iter_next (&iter, &path, NULL))
    {
      g_autoptr(GError) error = NULL;

      if (!g_hash_table_contains (self->monitors, path) && !add_monitor (self, path, &error))
        g_warning ("folder %s is not watched: %s", (const char *) path, error->message);
    }
}

/* Follows the folders from now on: new files are added (and announced with
 * "image-added"), deleted ones dropped; new album folders are followed too. */
gboolean
rndimg_catalogue_watch (RndimgCatalogue *self, GError **error)
{
  g_return_val_if_fail (!self->watching, TRUE);
  self->watching = TRUE;
  for (guint i = 0; i < self->folders->len; i++)
    if (!add_monitor (self, g_ptr_array_index (self->folders, i), error))
      return FALSE;
  sync_monitors (self, self->folders_read);
  return TRUE;
}

/* Drops @name without a word ("image-removed" is not emitted): the
 * caller, who removed its file, tells of it. The folder watch, finding
 * it gone already, says nothing either. */
gboolean
rndimg_catalogue_forget (RndimgCatalogue *self, const char *name)
{
  return catalogue_drop (self, name, FALSE);
}

/* @name, forgotten already, was deleted for good or moved away by a
 * write: "picture-retired". */
void
rndimg_catalogue_retire (RndimgCatalogue *self, const char *name)
{
  g_signal_emit (self, signals[PICTURE_RETIRED], 0, name);
}

/* The stamp of @folder_path's info.json as the catalogue last read it;
 * FALSE when it never read that folder. */
gboolean
rndimg_catalogue_get_sidecar_stamp (RndimgCatalogue *self, const char *folder_path, RndimgSidecarStamp *stamp)
{
  RndimgSidecarStamp *known = g_hash_table_lookup (self->stamps, folder_path);

  if (known == NULL)
    return FALSE;
  *stamp = *known;
  return TRUE;
}

/* The folders of the catalogue (borrowed, canonical), the image folder first. */
GPtrArray *
rndimg_catalogue_get_folders (RndimgCatalogue *self)
{
  return self->folders;
}

/* The folder uploads go to (borrowed): the last one. */
const char *
rndimg_catalogue_get_uploads_folder (RndimgCatalogue *self)
{
  return g_ptr_array_index (self->folders, self->folders->len - 1);
}

/* A folder for album @name was just made (by the API): it is an album now,
 * with what its info.json says, and followed. */
void
rndimg_catalogue_add_album_folder (RndimgCatalogue *self, const char *name)
{
  g_autoptr(GPtrArray) changed = NULL;

  ensure_album (self, name)->has_folder = TRUE;
  changed = rndimg_catalogue_reload_album (self, name, FALSE);
  if (!self->watching)
    return;
  for (guint i = 0; i < self->folders->len; i++)
    {
      g_autofree char *path = g_build_filename (g_ptr_array_index (self->folders, i), name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_hash_table_contains (self->folders_read, path))
        g_hash_table_add (self->folders_read, g_strdup (path));
    }
  sync_monitors (self, self->folders_read);
}

/* Album @name and its sub-albums lost their folders (the API removed them):
 * each goes once it holds no picture. */
void
rndimg_catalogue_drop_album_folders (RndimgCatalogue *self, const char *name)
{
  gsize length = strlen (name);
  GHashTableIter iter;
  RndimgAlbum *album;
  gpointer path;

  g_hash_table_iter_init (&iter, self->albums);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &album))
    if (strncmp (album->name, name, length) == 0 && (album->name[length] == '\0' || album->name[length] == '/'))
      {
        album->has_folder = FALSE;
        if (rndimg_album_count (album) == 0)
          g_hash_table_iter_remove (&iter);
      }
  g_hash_table_iter_init (&iter, self->folders_read);
  while (g_hash_table_iter_next (&iter, &path, NULL))
    if (!g_file_test (path, G_FILE_TEST_IS_DIR))
      g_hash_table_iter_remove (&iter);
  if (self->watching)
    sync_monitors (self, self->folders_read);
}
