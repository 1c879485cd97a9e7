# Man pages and docs/reference.md, generated at build time from the doc
# comments of include/rsipc.h (which build.rs generates from the Rust doc
# comments): one text for rustdoc, the header, the man pages and the
# reference. Needs Python 3 (standard library only); rendering is checked by
# the docs_man test (man-db and groff).
#
#   ${RSIPC_MAN_DIR}/man3/rsipc_*.3   one page per function of the header
#   ${RSIPC_MAN_DIR}/man7/rsipc.7     the overview (docs/contract.md,
#                                     trust.md, channel.md, abi.md)
#   docs/reference.md                 rewritten in the source tree when it
#                                     changes, like include/rsipc.h (commit it)
#
# The top-level CMakeLists.txt installs ${RSIPC_MAN_DIR} into
# ${CMAKE_INSTALL_MANDIR} and docs/*.md into ${CMAKE_INSTALL_DOCDIR}.

find_package(Python3 COMPONENTS Interpreter REQUIRED)
set(RSIPC_MAN_DIR "${PROJECT_BINARY_DIR}/man")
set(RSIPC_DOCS_GENERATOR "${CMAKE_CURRENT_LIST_DIR}/../docs/gen_docs.py")
get_filename_component(RSIPC_DOCS_GENERATOR "${RSIPC_DOCS_GENERATOR}" ABSOLUTE)

# Runs on every build, after cargo has refreshed the header; the script
# rewrites only the files whose text changed.
add_custom_target(rsipc_docs ALL
  COMMAND ${Python3_EXECUTABLE} "${RSIPC_DOCS_GENERATOR}"
          --header "${PROJECT_SOURCE_DIR}/include/rsipc.h"
          --docs "${PROJECT_SOURCE_DIR}/docs"
          --man "${RSIPC_MAN_DIR}"
          --reference "${PROJECT_SOURCE_DIR}/docs/reference.md"
  WORKING_DIRECTORY "${PROJECT_SOURCE_DIR}"
  COMMENT "Man pages and docs/reference.md from include/rsipc.h"
  VERBATIM)
add_dependencies(rsipc_docs rsipc_cargo)

# The rsipc command's pages, rsipc(1) and rsipc-SUBCOMMAND(1), from its
# argument definitions (clap_mangen; the text of `rsipc ... --help`),
# installed with the others from ${RSIPC_MAN_DIR}.
if(TARGET rsipc_cli)
  add_custom_command(TARGET rsipc_cli POST_BUILD
    COMMAND "${RSIPC_CLI}" generate-man "${RSIPC_MAN_DIR}/man1"
    COMMENT "Man pages of the rsipc command"
    VERBATIM)
endif()
