//! One file per check family; each returns findings. (placeholder: filled by the checks work)
