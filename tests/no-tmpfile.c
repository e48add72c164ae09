/* SPDX-License-Identifier: MIT */
/* LD_PRELOAD into the server by the attacks suite: openat() with O_TMPFILE
 * fails as it does on a file system without it (NFS, overlayfs before
 * Linux 6.6), so that the uploads' other way (a hidden folder) is tested
 * on the machine's own file system. Everything else goes to libc. Both
 * names are defined, whichever the server was built to call. */
#undef _FILE_OFFSET_BITS
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sys/types.h>

int openat (int dir, const char *path, int flags, ...);
int openat64 (int dir, const char *path, int flags, ...);

static int
forward (const char *name, int dir, const char *path, int flags, mode_t mode)
{
  int (*real) (int, const char *, int, ...);

  /* POSIX's way from dlsym()'s object pointer to a function pointer. */
  *(void **) &real = dlsym (RTLD_NEXT, name);
  if ((flags & O_TMPFILE) == O_TMPFILE)
    {
      errno = EOPNOTSUPP;
      return -1;
    }
  return real (dir, path, flags, mode);
}

static mode_t
mode_of (int flags, va_list args)
{
  return (flags & O_CREAT) != 0 || (flags & O_TMPFILE) == O_TMPFILE ? va_arg (args, mode_t) : 0;
}

int
openat (int dir, const char *path, int flags, ...)
{
  va_list args;
  mode_t mode;

  va_start (args, flags);
  mode = mode_of (flags, args);
  va_end (args);
  return forward ("openat", dir, path, flags, mode);
}

int
openat64 (int dir, const char *path, int flags, ...)
{
  va_list args;
  mode_t mode;

  va_start (args, flags);
  mode = mode_of (flags, args);
  va_end (args);
  return forward ("openat64", dir, path, flags, mode);
}
