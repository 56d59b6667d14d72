//! Readers and writers for every capture format swimtop speaks
//! (spec: `shared/spec/capture-formats.md`).
