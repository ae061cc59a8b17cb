/* paths: where tonewire's data lives, decided at run time: the source and build tree when the running code sits in one, else the installed data folder. */
#ifndef TONEWIRE_PATHS_H
#define TONEWIRE_PATHS_H

#include <stddef.h>

/* Nothing of the build machine is compiled in: a binary (or the ALSA plugin)
 * that sits in a CMake build tree of tonewire finds that tree, and its
 * source tree, from its own file at run time; an installed one never looks
 * for a checkout, even one that still exists. */

/* The build tree (the folder holding CMakeCache.txt) the running code was
 * built in, into out (len bytes): 0, -ENOENT when it is installed, or
 * -ENAMETOOLONG. "Running code" is the module holding this function (the
 * ALSA plugin, loaded by aplay, finds its own tree), else the program. */
int tw_paths_build_dir(char *out, size_t len);

/* The source tree that build tree was configured from: 0, -ENOENT when the
 * running code is installed, or -ENAMETOOLONG. */
int tw_paths_source_dir(char *out, size_t len);

/* The installed data folder ($prefix/share/tonewire, set at configure
 * time): 0 or -ENAMETOOLONG. It is used when the source tree is not. */
int tw_paths_data_dir(char *out, size_t len);

/* tw_paths_build_dir for a given file rather than the running code: the
 * build tree when file sits in a CMake binary folder (a CMakeFiles/ next to
 * it) below a CMakeCache.txt of project tonewire. 0, -ENOENT, -ENAMETOOLONG. */
int tw_paths_build_dir_of(const char *file, char *out, size_t len);

/* The CMAKE_HOME_DIRECTORY recorded in build_dir/CMakeCache.txt: 0,
 * -ENOENT, -ENAMETOOLONG. */
int tw_paths_source_dir_of_build(const char *build_dir, char *out, size_t len);

#endif
