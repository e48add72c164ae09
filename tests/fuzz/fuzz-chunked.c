/* SPDX-License-Identifier: MIT */
/* libFuzzer: the gate's chunked-body reader (rndimg-chunked.c). Whatever
 * the bytes, it takes no byte past those given, and it reaches the same
 * verdict at the same byte whether the bytes come in one piece or one at
 * a time, as a network hands them. */
#include "rndimg-chunked.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static RndimgChunkedResult
feed_whole (const uint8_t *data, size_t size, gsize *taken)
{
  RndimgChunked chunked;
  const char *problem = NULL;
  RndimgChunkedResult result;

  rndimg_chunked_init (&chunked);
  result = rndimg_chunked_feed (&chunked, data, size, taken, &problem);
  if (*taken > size || (result == RNDIMG_CHUNKED_BAD && problem == NULL))
    abort ();
  return result;
}

static RndimgChunkedResult
feed_bytewise (const uint8_t *data, size_t size, gsize *taken)
{
  RndimgChunked chunked;
  const char *problem = NULL;

  rndimg_chunked_init (&chunked);
  *taken = 0;
  for (size_t i = 0; i < size; i++)
    {
      gsize one = 0;
      RndimgChunkedResult result = rndimg_chunked_feed (&chunked, data + i, 1, &one, &problem);

      *taken += one;
      if (result != RNDIMG_CHUNKED_MORE)
        return result;
      if (one != 1)
        abort ();
    }
  return RNDIMG_CHUNKED_MORE;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  gsize whole_taken = 0, bytewise_taken = 0;
  RndimgChunkedResult whole = feed_whole (data, size, &whole_taken);
  RndimgChunkedResult bytewise = feed_bytewise (data, size, &bytewise_taken);

  if (whole != bytewise || whole_taken != bytewise_taken)
    abort ();
  return 0;
}
