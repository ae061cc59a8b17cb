add_executable(bench_flex ${CMAKE_CURRENT_SOURCE_DIR}/flex.c)
target_link_libraries(bench_flex PRIVATE tonewire_dsp tonewire_flags)
set_target_properties(bench_flex PROPERTIES OUTPUT_NAME flex RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
