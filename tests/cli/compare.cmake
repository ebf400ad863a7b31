# `bubblesim compare`: two built-in scenarios print the header and every row with A, B, B − A
# and B ÷ A and exit 0; --json prints the same rows as JSON; bad input in either scenario (a
# malformed file, an unknown name) exits 2 with every problem located on stderr and nothing on
# stdout.
#
#   cmake -DBSIM=<bubblesim> -DWORK=<scratch dir> -P tests/cli/compare.cmake
#
# Every check runs; the script fails at the end listing all that did not hold.

foreach(var BSIM WORK)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "compare.cmake needs -D${var}=…")
  endif()
endforeach()

file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")

set(failures "")
function(expect_exit name code err_regex out_regex)
  cmake_parse_arguments(ARG "" "" "ARGS" ${ARGN})
  execute_process(COMMAND "${BSIM}" ${ARG_ARGS}
                  WORKING_DIRECTORY "${WORK}"
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  list(JOIN ARG_ARGS " " args_text)
  set(cmd "bubblesim ${args_text}")
  if(NOT "${rc}" STREQUAL "${code}")
    set(failures "${failures}\n\n${name}: `${cmd}` exited with ${rc}, expected ${code}\n--- stderr:\n${err}" PARENT_SCOPE)
    return()
  endif()
  if(NOT err MATCHES "${err_regex}")
    set(failures "${failures}\n\n${name}: stderr of `${cmd}` does not match `${err_regex}`:\n${err}" PARENT_SCOPE)
  elseif(NOT out MATCHES "${out_regex}")
    set(failures "${failures}\n\n${name}: stdout of `${cmd}` does not match `${out_regex}`:\n${out}" PARENT_SCOPE)
  endif()
endfunction()

# --- good input --------------------------------------------------------------------------------

expect_exit(compare-builtins 0 "^$"
  "^bubblesim compare — seed 1, path 0\n  A: 'default' \\(scenarios/default\\.toml\\), 2026-01 to 2036-12\n  B: 'sudden-100x' \\(scenarios/sudden-100x\\.toml\\)[^\n]*\n\nrow +unit +A +B +B − A +B ÷ A\nbust \\(1 = yes\\) +0/1 [^\n]*\n(.*\n)?defaults +firms +0 +[1-9][0-9]* +\\+[1-9][0-9]* +—\n(.*\n)?claims written off +USD bn (.*\n)?losses: banks +USD bn (.*\n)?debt_service_coverage, end +× [^\n]*\n$"
  ARGS compare default sudden-100x)
expect_exit(compare-seed-json 0 "^$"
  "\"label\": \"defaults\"(.*)\"label\": \"circular_revenue_share, peak\"(.*)\"seed\": 7"
  ARGS compare default sudden-100x --seed 7 --json)

# --- bad input ---------------------------------------------------------------------------------

file(WRITE "${WORK}/bad-month.toml"
     "extends = \"default\"\nname = \"bad\"\n\n[[firm]]\nid = \"openai\"\nequity_closed_from = \"2027-1\"\n")
# Both scenarios are checked before either runs, and the problems of both are reported.
expect_exit(compare-bad-file-and-unknown-name 2
  "(^|\n)bad-month\\.toml:6:22: error: 'equity_closed_from' must be a month written \"YYYY-MM\", not \"2027-1\"\nno-such-scenario: error: no built-in scenario of that name and no such file[^\n]*\n2 errors; nothing was run\\."
  "^$"
  ARGS compare bad-month.toml no-such-scenario)
expect_exit(compare-bad-b 2 "(^|\n)bad-month\\.toml:6:22: error: [^\n]*\n1 error; nothing was run\\." "^$"
  ARGS compare default bad-month.toml)
# A bad --set applies to both scenarios but is reported once.
expect_exit(compare-bad-set 2 "^--set:1:1: error: unknown parameter path 'nonsense'[^\n]*\n1 error; nothing was run\\.\n$" "^$"
  ARGS compare default sudden-100x --set nonsense=1)
expect_exit(compare-missing-b 2 "bubblesim compare: missing argument b \\(Scenario B" "^$" ARGS compare default)

if(failures)
  message(FATAL_ERROR "bubblesim compare checks failed:${failures}")
endif()
message(STATUS "bubblesim compare: rows and headers on good input; exit 2 with located errors on bad input")
