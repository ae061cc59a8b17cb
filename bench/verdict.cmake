# bench/verdict: trigger-to-verdict time per cable family on the real-time simulated jig (needs the station library).
if(TARGET tonewire_station)
  add_executable(bench_verdict ${CMAKE_CURRENT_SOURCE_DIR}/verdict.c)
  target_link_libraries(bench_verdict PRIVATE tonewire_station tonewire_profiles tonewire_dsp tonewire_flags)
  set_target_properties(bench_verdict PROPERTIES OUTPUT_NAME verdict RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
endif()
