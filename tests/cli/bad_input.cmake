# Bad input on the command line: `bubblesim` exits with code 2, prints nothing on stdout and
# reports each problem on stderr as `file:line:col: error: …` where a location applies; good
# input still works.
#
#   cmake -DBSIM=<bubblesim> -DSRC=<repo root> -DWORK=<scratch dir> -P tests/cli/bad_input.cmake
#
# Every check runs; the script fails at the end listing all that did not hold.

foreach(var BSIM SRC WORK)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "bad_input.cmake needs -D${var}=…")
  endif()
endforeach()

file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")

# Kept as one string, not a list: messages contain ';'.
set_property(GLOBAL PROPERTY BAD_INPUT_FAILURES "")
set_property(GLOBAL PROPERTY BAD_INPUT_FAILURE_COUNT 0)
function(fail what)
  set_property(GLOBAL APPEND_STRING PROPERTY BAD_INPUT_FAILURES "\n\n${what}")
  get_property(n GLOBAL PROPERTY BAD_INPUT_FAILURE_COUNT)
  math(EXPR n "${n} + 1")
  set_property(GLOBAL PROPERTY BAD_INPUT_FAILURE_COUNT ${n})
endfunction()

# expect_exit(<name> <code> <stderr regex> <stdout regex> ARGS <bubblesim arguments>…)
# Runs in WORK, so file names in messages are the relative names written below.
function(expect_exit name code err_regex out_regex)
  cmake_parse_arguments(ARG "" "" "ARGS" ${ARGN})
  execute_process(COMMAND "${BSIM}" ${ARG_ARGS}
                  WORKING_DIRECTORY "${WORK}"
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  list(JOIN ARG_ARGS " " args_text)
  set(cmd "bubblesim ${args_text}")
  if(NOT "${rc}" STREQUAL "${code}")
    fail("${name}: `${cmd}` exited with ${rc}, expected ${code}\n--- stderr:\n${err}--- stdout:\n${out}")
    return()
  endif()
  if(NOT err MATCHES "${err_regex}")
    fail("${name}: stderr of `${cmd}` does not match `${err_regex}`:\n${err}")
  endif()
  if(NOT out MATCHES "${out_regex}")
    fail("${name}: stdout of `${cmd}` does not match `${out_regex}`:\n${out}")
  endif()
endfunction()

# Bad input: exit 2, nothing on stdout (nothing was run), a located error on stderr.
function(expect_bad_input name err_regex)
  expect_exit(${name} 2 "${err_regex}" "^$" ${ARGN})
endfunction()

set(located "(^|\n)[^ \n]+:[0-9]+:[0-9]+: error: ")

# --- malformed scenario files ------------------------------------------------------------------

# Two syntax errors: only the first is reported.
file(WRITE "${WORK}/syntax.toml" "schema_version = 1\nname = = \"x\"\ndescription = [\n")

# A valid scenario with one unknown key (line 18) ...
file(READ "${SRC}/tests/io/data/minimal.toml" minimal)
string(REPLACE "initial_cap_h100e_per_month = 50000\n"
               "initial_cap_h100e_per_month = 50000\nproject_lead_time_month = 18\n" unknown_key "${minimal}")
if(unknown_key STREQUAL minimal)
  message(FATAL_ERROR "tests/io/data/minimal.toml changed: the unknown-key edit no longer applies")
endif()
file(WRITE "${WORK}/unknown-key.toml" "${unknown_key}")

# ... plus a dangling firm id (line 39): both errors are reported.
string(REPLACE "buyer = \"acme-lab\"" "buyer = \"acme-lb\"" several "${unknown_key}")
file(WRITE "${WORK}/several.toml" "${several}")

# Invalid UTF-8: 0xC7 starts a two-byte sequence but 'e' follows (line 2, column 6); a lone
# 0xFF comes later and is not reached.
string(ASCII 199 byte_c7)
string(ASCII 255 byte_ff)
file(WRITE "${WORK}/bad-utf8.toml" "schema_version = 1\n# caf${byte_c7}e\nname = \"x${byte_ff}\"\n")

file(WRITE "${WORK}/empty.toml" "")

# [uncertain]: a negative sd (line 5, column 63) and an unknown distribution (line 6, column 29).
file(WRITE "${WORK}/uncertain.toml"
  "schema_version = 1\nextends = \"default\"\nname = \"u\"\n[uncertain]\n"
  "\"segment.consumer.markup\" = { dist = \"normal\", mean = 2, sd = -1 }\n"
  "\"build.optimism\" = { dist = \"unifrom\", min = 0.2, max = 0.8 }\n")

foreach(cmd validate run)
  expect_bad_input(${cmd}-syntax
    "(^|\n)syntax\\.toml:2:8: error: TOML syntax error[^\n]*\n1 error; nothing was run\\."
    ARGS ${cmd} syntax.toml)
  expect_bad_input(${cmd}-unknown-key
    "(^|\n)unknown-key\\.toml:18:1: error: unknown key 'project_lead_time_month' in \\[supply\\.production\\]; did you mean 'project_lead_time_months'\\?"
    ARGS ${cmd} unknown-key.toml)
  expect_bad_input(${cmd}-several
    "(^|\n)several\\.toml:18:1: error: unknown key[^\n]*\nseveral\\.toml:39:9: error: contract\\.deal\\.buyer names firm 'acme-lb'[^\n]*did you mean 'acme-lab'\\?\n2 errors; nothing was run\\."
    ARGS ${cmd} several.toml)
  expect_bad_input(${cmd}-bad-utf8
    "(^|\n)bad-utf8\\.toml:2:6: error: the file is not valid UTF-8"
    ARGS ${cmd} bad-utf8.toml)
  expect_bad_input(${cmd}-empty
    "(^|\n)empty\\.toml:1:1: error: the scenario file is empty"
    ARGS ${cmd} empty.toml)
  expect_bad_input(${cmd}-uncertain
    "(^|\n)uncertain\\.toml:5:63: error: 'sd' must be above 0, not -1\nuncertain\\.toml:6:29: error: unknown distribution 'unifrom'; did you mean 'uniform'\\?[^\n]*\n2 errors; nothing was run\\."
    ARGS ${cmd} uncertain.toml)
endforeach()

# --- bad --set, names and options --------------------------------------------------------------

expect_bad_input(run-set-unknown-path
  "(^|\n)--set:1:1: error: unknown parameter path 'nonsense\\.path'"
  ARGS run default --set nonsense.path=1)
expect_bad_input(validate-set-not-a-number
  "(^|\n)--set:1:25: error: segment\\.consumer\\.markup: expected a number"
  ARGS validate default --set segment.consumer.markup=lots)
# The first --set is valid: only the second is reported.
expect_bad_input(run-set-second-of-two
  "(^|\n)--set:2:1: error: expected --set path=value[^\n]*\n1 error; nothing was run\\."
  ARGS run default --set segment.consumer.markup=2.5 --set segment.consumer.markup)
# No file, so no line or column; the message names what was asked for.
expect_bad_input(run-unknown-scenario
  "(^|\n)no-such-scenario: error: no built-in scenario of that name and no such file"
  ARGS run no-such-scenario)
# Efficiency that falls by more than ×1000 a year, or a shock below ×1e-9, used to pass validate and
# stop the run with a non-finite value (in 2027-02, and in 2027-06 for the shock): now refused
# by validate, run and mc alike, located at the value.
expect_bad_input(validate-set-trend-1e-300
  "(^|\n)--set:1:38: error: 'trend_per_year' = 1e-300 is out of range: must be at least 0\\.001 and at most 1000 \\(× per year\\)\n1 error; nothing was run\\."
  ARGS validate default --set technology.efficiency.trend_per_year=1e-300)
expect_bad_input(run-set-trend-1e-300
  "(^|\n)--set:1:38: error: 'trend_per_year' = 1e-300 is out of range: must be at least 0\\.001"
  ARGS run default --set technology.efficiency.trend_per_year=1e-300)
expect_bad_input(mc-set-training-trend-0
  "(^|\n)--set:2:47: error: 'trend_per_year' = 0 is out of range: must be at least 0\\.001"
  ARGS mc default -n 2 --quiet --set technology.training_efficiency.follows_inference=false
       --set technology.training_efficiency.trend_per_year=0)
expect_bad_input(run-set-shock-1e-300
  "(^|\n)--set:1:35: error: 'multiplier' = 1e-300 is out of range: must be at least 1e-09 and at most 1000000000\n"
  ARGS run sudden-100x --set shock.algorithmic-100x.multiplier=1e-300)
expect_bad_input(run-unknown-flag "no-such-flag" ARGS run --no-such-flag)
expect_bad_input(validate-without-file "scenario" ARGS validate)

# A contract key for a type it does not apply to, and a party that is neither a firm nor an
# investor class, both through --set on the file with a contract of every type.
expect_bad_input(validate-set-contract-keys
  "(^|\n)--set:1:1: error: contract\\.campus\\.volume_h100e: key 'volume_h100e' does not apply to a contract of type 'lease' \\(it applies to: compute_commitment\\)\n--set:2:27: error: contract\\.bank-loan\\.lender names 'bnks'[^\n]*did you mean 'banks'\\?\n2 errors; nothing was run\\."
  ARGS validate "${SRC}/tests/io/data/contracts.toml" --set contract.campus.volume_h100e=5
       --set contract.bank-loan.lender=bnks)

# Every error above that comes from a scenario or --set carried a location (the regexes say so);
# make sure the generic form holds for one more, through `run` with a path.
expect_bad_input(run-located-generic "${located}" ARGS run ./unknown-key.toml)

# --- good input still works --------------------------------------------------------------------

# A seed that is not a whole number from 0 to 2^64 − 1 is refused, not wrapped (−1 used to run as
# seed 18446744073709551615).
foreach(seed -1 18446744073709551616 1.5 abc)
  expect_bad_input(bad-seed-${seed} "--seed: the seed must be a whole number from 0 to 18446744073709551615, not '${seed}'"
                   ARGS run default --seed ${seed})
endforeach()
expect_exit(largest-seed 0 "^$" "seed 18446744073709551615," ARGS run default --seed 18446744073709551615)

# A missing positional argument names the command, the argument and the usage (CLI11 alone said
# "b is required").
expect_bad_input(compare-missing-b "bubblesim compare: missing argument b \\(Scenario B[^\n]*\nUsage: bubblesim compare a b \\[OPTIONS\\]"
                 ARGS compare default)

expect_exit(validate-default 0 "^$" "scenarios/default\\.toml: ok" ARGS validate default)
expect_exit(validate-minimal-file 0 "^$" "minimal\\.toml: ok" ARGS validate "${SRC}/tests/io/data/minimal.toml")
expect_exit(validate-contracts-file 0 "^$" "contracts\\.toml: ok" ARGS validate "${SRC}/tests/io/data/contracts.toml")
file(WRITE "${WORK}/uncertain-ok.toml"
  "schema_version = 1\nextends = \"default\"\nname = \"u\"\n[uncertain]\n"
  "\"segment.consumer.markup\" = { dist = \"pert\", min = 1.3, mode = 2, max = 4 }\n")
expect_exit(validate-uncertain-ok 0 "^$" "uncertain-ok\\.toml: ok" ARGS validate uncertain-ok.toml)
expect_exit(scenarios 0 "^$" "(^|\n)default +[^\n]*\n(.*\n)?sudden-100x +" ARGS scenarios)
expect_exit(help 0 "^$" "validate" ARGS --help)
expect_exit(help-points-to-glossary 0 "^$" "docs/glossary\\.md" ARGS --help)

get_property(n GLOBAL PROPERTY BAD_INPUT_FAILURE_COUNT)
if(n GREATER 0)
  get_property(failures GLOBAL PROPERTY BAD_INPUT_FAILURES)
  message(FATAL_ERROR "${n} CLI check(s) failed:${failures}")
endif()
message(STATUS "bubblesim: bad input exits 2 with located errors; good input exits 0")
