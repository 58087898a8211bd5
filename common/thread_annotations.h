// Clang's thread-safety annotations (-Wthread-safety), as LevelDB's port/thread_annotations.h
// and abseil's base/thread_annotations.h spell them. Under clang they let the compiler check
// that a member marked GUARDED_BY(mu_) is only touched with mu_ held and that a function marked
// REQUIRES(mu_) is only called with it held; under g++ they expand to nothing.
//
// They only work on types that declare themselves capabilities: libstdc++'s std::mutex does
// not, so guarded state uses sealstack::Mutex / SharedMutex and their lock types
// (common/mutex.h).
#pragma once

#if defined(__clang__)
#define SEALSTACK_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define SEALSTACK_THREAD_ANNOTATION(x)
#endif

// A type whose instances are capabilities (a mutex).
#define CAPABILITY(x) SEALSTACK_THREAD_ANNOTATION(capability(x))
// An RAII type that holds a capability for its lifetime.
#define SCOPED_CAPABILITY SEALSTACK_THREAD_ANNOTATION(scoped_lockable)

// Data members: read and written only with the capability held (PT_: the pointee).
#define GUARDED_BY(x) SEALSTACK_THREAD_ANNOTATION(guarded_by(x))
#define PT_GUARDED_BY(x) SEALSTACK_THREAD_ANNOTATION(pt_guarded_by(x))

// Lock ordering between capabilities.
#define ACQUIRED_BEFORE(...) SEALSTACK_THREAD_ANNOTATION(acquired_before(__VA_ARGS__))
#define ACQUIRED_AFTER(...) SEALSTACK_THREAD_ANNOTATION(acquired_after(__VA_ARGS__))

// Functions: the caller must hold the capability (exclusively / at least shared).
#define REQUIRES(...) SEALSTACK_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define REQUIRES_SHARED(...) SEALSTACK_THREAD_ANNOTATION(requires_shared_capability(__VA_ARGS__))

// Functions that take or give back a capability.
#define ACQUIRE(...) SEALSTACK_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define ACQUIRE_SHARED(...) SEALSTACK_THREAD_ANNOTATION(acquire_shared_capability(__VA_ARGS__))
#define RELEASE(...) SEALSTACK_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define RELEASE_SHARED(...) SEALSTACK_THREAD_ANNOTATION(release_shared_capability(__VA_ARGS__))
#define TRY_ACQUIRE(...) SEALSTACK_THREAD_ANNOTATION(try_acquire_capability(__VA_ARGS__))

// Functions the caller must NOT hold the capability for (they take it themselves).
#define EXCLUDES(...) SEALSTACK_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))

// Tells the analysis the capability is held here (checked at run time by the callee, if at all).
#define ASSERT_CAPABILITY(x) SEALSTACK_THREAD_ANNOTATION(assert_capability(x))
#define RETURN_CAPABILITY(x) SEALSTACK_THREAD_ANNOTATION(lock_returned(x))

// Opt a function out of the analysis; say why beside every use.
#define NO_THREAD_SAFETY_ANALYSIS SEALSTACK_THREAD_ANNOTATION(no_thread_safety_analysis)
