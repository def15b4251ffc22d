/*
 * Arrays read and one written by a native call, held as JNI critical regions (no copies) for the microseconds of the
 * call; nothing in between allocates or calls back into the JVM. Shared by the library's C files.
 */
#ifndef T2L_JNI_CRITICAL_H
#define T2L_JNI_CRITICAL_H

#include <jni.h>

/* Releases arrays[0 .. count): the last one's writes kept, the others dropped unchanged. */
static inline void release_all(JNIEnv *env, int count, const jarray *arrays, void **held) {
    for (int k = count - 1; k >= 0; k--) {
        (*env)->ReleasePrimitiveArrayCritical(env, arrays[k], held[k], k == count - 1 ? 0 : JNI_ABORT);
    }
}

/* 1 with all `count` arrays held (held[k] for arrays[k]; the last is the one written); 0 with none held (an
 * OutOfMemoryError is then pending). */
static inline int hold_all(JNIEnv *env, int count, const jarray *arrays, void **held) {
    for (int k = 0; k < count; k++) {
        held[k] = (*env)->GetPrimitiveArrayCritical(env, arrays[k], NULL);
        if (held[k] == NULL) {
            for (int m = k - 1; m >= 0; m--) {
                (*env)->ReleasePrimitiveArrayCritical(env, arrays[m], held[m], JNI_ABORT);
            }
            return 0;
        }
    }
    return 1;
}

/* hold_all for one array read and one written. */
static inline int hold_in_out(JNIEnv *env, jarray in, void **i, jarray out, void **o) {
    jarray arrays[2] = {in, out};
    void *held[2];
    if (!hold_all(env, 2, arrays, held)) {
        return 0;
    }
    *i = held[0];
    *o = held[1];
    return 1;
}

/* Releases what hold_in_out took: out's writes kept, in's region dropped unchanged. */
static inline void release_in_out(JNIEnv *env, jarray in, void *i, jarray out, void *o) {
    jarray arrays[2] = {in, out};
    void *held[2] = {i, o};
    release_all(env, 2, arrays, held);
}

#endif
