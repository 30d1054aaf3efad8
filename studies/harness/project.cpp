/// study_project() for initlab's own studies: initlab itself. Alone in this file so that a user's
/// study (initlab_add_study) can supply its own definition without a duplicate symbol.
#include "project.hpp"

#include "initlab_build_config.hpp"
#include "initlab_git_info.hpp"

namespace initlab::study {

project_identity study_project() {
  return {"initlab", INITLAB_BUILD_VERSION, INITLAB_GIT_COMMIT, INITLAB_GIT_DIRTY};
}

}  // namespace initlab::study
