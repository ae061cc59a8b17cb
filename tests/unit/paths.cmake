# Run-time paths: the build and source tree found from a binary's own file, never compiled in.
tw_unit_test(paths tonewire_profiles)
