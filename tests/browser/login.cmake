# The dashboard on a station with a token (tests/browser/login.test.mjs): the login step,
# the session cookie, a test and its events, the Content-Security-Policy. Needs tonewired.
if(TARGET tonewired)
  add_test(NAME browser.login
    COMMAND ${TW_NODE} run.mjs login.test.mjs
    WORKING_DIRECTORY ${CMAKE_CURRENT_LIST_DIR})
  set_tests_properties(browser.login PROPERTIES
    ENVIRONMENT "TONEWIRE_BUILD_DIR=${PROJECT_BINARY_DIR}"
    TIMEOUT 300 SKIP_RETURN_CODE 77 LABELS browser)
endif()
