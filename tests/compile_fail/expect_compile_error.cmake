# Builds TARGET in BUILD_DIR and passes only if the build fails with a message matching PATTERN
# (so a broken build for another reason does not count as the expected failure).
execute_process(COMMAND ${CMAKE_COMMAND} --build ${BUILD_DIR} --target ${TARGET}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(rc EQUAL 0)
  message(FATAL_ERROR "${TARGET} compiled, but it must not")
endif()
if(NOT "${out}${err}" MATCHES "${PATTERN}")
  message(FATAL_ERROR "${TARGET} failed to compile for another reason:\n${out}${err}")
endif()
message(STATUS "${TARGET} does not compile, as intended")
