/*
 * One array read and one written by a native call, held as JNI critical regions (no copies) for the microseconds of
 * the call; nothing in between allocates or calls back into the JVM. Shared by bf16-dot.c and bf16-rows.c.
 */
#ifndef T2L_JNI_CRITICAL_H
#define T2L_JNI_CRITICAL_H

#include <jni.h>

/* 1 with both held; 0 with neither held (an OutOfMemoryError is then pending). */
static inline int hold_in_out(JNIEnv *env, jarray in, void **i, jarray out, void **o) {
    *i = (*env)->GetPrimitiveArrayCritical(env, in, NULL);
    if (*i == NULL) {
        return 0;
    }
    *o = (*env)->GetPrimitiveArrayCritical(env, out, NULL);
    if (*o == NULL) {
        (*env)->ReleasePrimitiveArrayCritical(env, in, *i, JNI_ABORT);
        return 0;
    }
    return 1;
}

/* Releases what hold_in_out took: out's writes kept, in's region dropped unchanged. */
static inline void release_in_out(JNIEnv *env, jarray in, void *i, jarray out, void *o) {
    (*env)->ReleasePrimitiveArrayCritical(env, out, o, 0);
    (*env)->ReleasePrimitiveArrayCritical(env, in, i, JNI_ABORT);
}

#endif
