# The HTTP layer's pure parts: the connection gate's request check (daemon/http_head.c) and
# the token comparison and login sessions (daemon/http_auth.c).
if(TARGET tonewired)
  tw_unit_test(http_head)
  target_sources(test_http_head PRIVATE ${PROJECT_SOURCE_DIR}/daemon/http_head.c)
  target_include_directories(test_http_head PRIVATE ${PROJECT_SOURCE_DIR}/daemon)

  tw_unit_test(http_auth Threads::Threads)
  target_sources(test_http_auth PRIVATE ${PROJECT_SOURCE_DIR}/daemon/http_auth.c)
  target_include_directories(test_http_auth PRIVATE ${PROJECT_SOURCE_DIR}/daemon)
  # The same tests under valgrind, where the secret's bytes are marked undefined and memcheck
  # reports any branch on them (a comparison that stops at the first wrong byte). Skipped (77)
  # without valgrind (Debian package valgrind, installed by scripts/deps).
  add_test(NAME unit.http_auth_constant_time
    COMMAND sh -c "command -v valgrind >/dev/null 2>&1 || { echo 'SKIP: no valgrind'; exit 77; }; exec valgrind -q --error-exitcode=99 \"$0\"" $<TARGET_FILE:test_http_auth>)
  set_tests_properties(unit.http_auth_constant_time PROPERTIES TIMEOUT 300 LABELS unit SKIP_RETURN_CODE 77)
endif()
