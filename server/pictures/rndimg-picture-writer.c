/* SPDX-License-Identifier: MIT */
/* A picture written into a folder of the catalogue whole or not at all,
 * never under a name a scan or a folder watch could take before it is
 * complete, and nothing left behind by a crash (kill -9, power loss):
 * the bytes go into an unnamed file in the target folder itself
 * (O_TMPFILE), are synced, and only then given their name (linkat, which
 * never replaces a file). A crash before the link leaves no name at all;
 * the kernel frees the file. Measured on ext4 and tmpfs (Linux 6.x),
 * unprivileged, through /proc/self/fd. Where the file system has no
 * O_TMPFILE (NFS, overlayfs before Linux 6.6) or /proc is missing, the
 * bytes go into the hidden folder .incoming/ of the uploads folder (a scan
 * skips hidden folders) and are linked from there; what a crash leaves
 * there is removed at start (rndimg_picture_writer_sweep). */
#include "rndimg-picture-writer.h"
#include "rndimg-album.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

static gboolean
set_errno_error (GError **error, int saved_errno, const char *what, const char *path)
{
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno), "cannot %s %s: %s", what, path,
               g_strerror (saved_errno));
  return FALSE;
}

static gboolean
write_all (int fd, const guint8 *data, gsize length)
{
  while (length > 0)
    {
      ssize_t done = write (fd, data, length);

      if (done < 0 && errno == EINTR)
        continue;
      if (done <= 0)
        return FALSE;
      data += done;
      length -= (gsize) done;
    }
  return TRUE;
}

/* @fd's bytes written and synced; closes @fd on failure. */
static gboolean
fill (int fd, GBytes *bytes, const char *path, GError **error)
{
  gsize length;
  const guint8 *data = g_bytes_get_data (bytes, &length);

  errno = 0;
  if (write_all (fd, data, length) && fsync (fd) == 0)
    return TRUE;
  set_errno_error (error, errno != 0 ? errno : EIO, "write", path);
  close (fd);
  return FALSE;
}

/* The unnamed file's name given: FALSE with G_IO_ERROR_EXISTS when the
 * name is taken. */
static gboolean
link_name (int from_dir, const char *from, int flags, int dir, const char *file_name, const char *path,
           GError **error)
{
  if (linkat (from_dir, from, dir, file_name, flags) == 0)
    return TRUE;
  if (errno == EEXIST)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS, "%s exists already", path);
      return FALSE;
    }
  return set_errno_error (error, errno, "name", path);
}

/* O_TMPFILE in @dir, then linkat. *@unsupported when this file system
 * (or a missing /proc) does not allow it. */
static gboolean
write_unnamed (int dir, const char *file_name, GBytes *bytes, const char *path, gboolean *unsupported,
               GError **error)
{
  char proc[64];
  int fd = openat (dir, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
  gboolean linked;

  if (fd < 0)
    {
      *unsupported = errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL;
      return *unsupported ? FALSE : set_errno_error (error, errno, "write", path);
    }
  if (!fill (fd, bytes, path, error))
    return FALSE;
  g_snprintf (proc, sizeof proc, "/proc/self/fd/%d", fd);
  if (access (proc, F_OK) != 0)
    {
      *unsupported = TRUE;
      close (fd);
      return FALSE;
    }
  linked = link_name (AT_FDCWD, proc, AT_SYMLINK_FOLLOW, dir, file_name, path, error);
  close (fd);
  return linked;
}

/* A folder itself, never a symlink to one elsewhere. */
static gboolean
is_real_folder (const char *path)
{
  GStatBuf st;

  return g_lstat (path, &st) == 0 && S_ISDIR (st.st_mode);
}

/* Without O_TMPFILE: a file in the hidden folder of @root, linked to its
 * name, then unlinked there. */
static gboolean
write_hidden (const char *root, int dir, const char *file_name, GBytes *bytes, const char *path, GError **error)
{
  g_autofree char *incoming = g_build_filename (root, RNDIMG_PICTURE_WRITER_INCOMING, NULL);
  g_autofree char *temporary = g_build_filename (incoming, "picture-XXXXXX", NULL);
  gboolean linked;
  int fd;

  if (g_mkdir (incoming, 0700) != 0 && errno != EEXIST)
    return set_errno_error (error, errno, "make", incoming);
  if (!is_real_folder (incoming))
    return set_errno_error (error, ENOTDIR, "write into", incoming);
  fd = g_mkstemp_full (temporary, O_WRONLY | O_CLOEXEC, 0644);
  if (fd < 0)
    return set_errno_error (error, errno, "write", temporary);
  if (!fill (fd, bytes, path, error))
    {
      g_unlink (temporary);
      return FALSE;
    }
  close (fd);
  linked = link_name (AT_FDCWD, temporary, 0, dir, file_name, path, error);
  g_unlink (temporary);
  return linked;
}

/* Writes @bytes as the picture @name ("dogs/x.png": an album's folders
 * are made) below @root. Never replaces a file: G_IO_ERROR_EXISTS. */
gboolean
rndimg_picture_writer_write (const char *root, const char *name, GBytes *bytes, GError **error)
{
  g_autofree char *path = g_build_filename (root, name, NULL);
  g_autofree char *folder = g_path_get_dirname (path);
  g_autofree char *file_name = g_path_get_basename (path);
  gboolean unsupported = FALSE;
  gboolean written;
  int dir;

  if (g_mkdir_with_parents (folder, 0755) != 0)
    return set_errno_error (error, errno, "make", folder);
  dir = open (folder, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dir < 0)
    return set_errno_error (error, errno, "open", folder);
  written = write_unnamed (dir, file_name, bytes, path, &unsupported, error);
  if (unsupported)
    written = write_hidden (root, dir, file_name, bytes, path, error);
  /* The new name itself made durable, as the bytes are. */
  if (written)
    fsync (dir);
  close (dir);
  return written;
}

/* What older versions left after a crash: g_file_set_contents()'s
 * temporary name beside an upload (upload-20261124-143748-543ad115.png.X1IZZ3). */
static gboolean
is_old_temporary (const char *file_name)
{
  return g_regex_match_simple ("^upload-[0-9]{8}-[0-9]{6}-[0-9a-f]{8}\\.(png|jpg|gif|webp)\\.[A-Za-z0-9]{6}$",
                               file_name, 0, 0);
}

static guint
sweep_folder (const char *folder, guint depth, gboolean everything)
{
  g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
  const char *child;
  guint removed = 0;

  while (dir != NULL && (child = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (folder, child, NULL);
      GStatBuf st;

      if (g_lstat (path, &st) != 0)
        continue;
      if (S_ISDIR (st.st_mode) && !everything && depth < 2 && rndimg_album_name_is_valid (child))
        removed += sweep_folder (path, depth + 1, FALSE);
      else if (!S_ISDIR (st.st_mode) && (everything || is_old_temporary (child)) && g_unlink (path) == 0)
        removed++;
    }
  return removed;
}

/* At start, before the catalogue reads @root (the uploads folder): removes
 * what a crash left there. Returns how many files. */
guint
rndimg_picture_writer_sweep (const char *root)
{
  g_autofree char *incoming = g_build_filename (root, RNDIMG_PICTURE_WRITER_INCOMING, NULL);

  return (is_real_folder (incoming) ? sweep_folder (incoming, 0, TRUE) : 0) + sweep_folder (root, 0, FALSE);
}
