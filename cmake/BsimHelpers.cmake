# One helper makes every layer's library target, so they all get the same include root,
# warnings and alias name (bsim::<name>). DEPS lists the lower layers a layer may use;
# the layering test (tests/layering) checks the #includes agree.
function(bsim_add_layer name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(bsim_${name} STATIC ${ARG_SOURCES})
  add_library(bsim::${name} ALIAS bsim_${name})
  target_include_directories(bsim_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(bsim_${name} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
endfunction()
