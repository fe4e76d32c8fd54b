// The CPU simulator as a JNI library for SimGpu.java: every Ember kernel (the .cu files, compiled
// as C++ with cuda_sim.h), a registry of them by name, "device" memory in host RAM, and a launch
// that takes parameters exactly as cuLaunchKernel does (one pointer per parameter), checking their
// sizes against the kernel's C signature so that a Java/CUDA mismatch fails loudly.
//
// Built by SimGpu (g++ -include cuda_sim.h); kernels.inc, generated from the PTX, lists the kernels.
#include "elementwise.cu"
#include "reduce.cu"
#include "sgemm.cu"
#include "tf32gemm.cu"
#include "conv.cu"
#include "index.cu"
#include "optim.cu"

#include <jni.h>

#include <map>
#include <tuple>
#include <utility>

namespace {

struct Kernel {
    std::vector<size_t> paramSizes;
    std::function<void(const std::vector<const void*>&)> invoke;
};

template <typename... P, size_t... I>
void call(void (*fn)(P...), const std::vector<const void*>& args, std::index_sequence<I...>) {
    std::tuple<P...> values;
    ((std::memcpy(&std::get<I>(values), args[I], sizeof(P))), ...);
    std::apply(fn, values);
}

template <typename... P>
Kernel kernel(void (*fn)(P...)) {
    return {{sizeof(P)...}, [fn](const std::vector<const void*>& args) {
                call(fn, args, std::index_sequence_for<P...>{});
            }};
}

const std::map<std::string, Kernel>& registry() {
#define KERNEL(name) {#name, kernel(name)},
    static const std::map<std::string, Kernel> kernels = {
#include "kernels.inc"
    };
#undef KERNEL
    return kernels;
}

void throwJava(JNIEnv* env, const char* cls, const std::string& message) {
    env->ThrowNew(env->FindClass(cls), message.c_str());
}

}  // namespace

extern "C" {

// Fresh memory is filled with 0xff bytes (NaN floats, -1 longs) so reads of unwritten memory show.
JNIEXPORT jlong JNICALL Java_dev_ember_backend_cuda_SimGpu_nativeAllocate(JNIEnv*, jclass, jlong bytes) {
    void* p = std::aligned_alloc(256, ((size_t) bytes + 255) / 256 * 256);
    std::memset(p, 0xff, (size_t) bytes);
    return (jlong) (uintptr_t) p;
}

JNIEXPORT void JNICALL Java_dev_ember_backend_cuda_SimGpu_nativeFree(JNIEnv*, jclass, jlong address) {
    std::free((void*) (uintptr_t) address);
}

JNIEXPORT void JNICALL Java_dev_ember_backend_cuda_SimGpu_nativeFill32(JNIEnv*, jclass, jlong address, jint pattern,
                                                                 jlong count) {
    int32_t* p = (int32_t*) (uintptr_t) address;
    std::fill(p, p + count, (int32_t) pattern);
}

JNIEXPORT void JNICALL Java_dev_ember_backend_cuda_SimGpu_nativeCopyIn(JNIEnv* env, jclass, jlong address,
                                                                 jbyteArray data) {
    env->GetByteArrayRegion(data, 0, env->GetArrayLength(data), (jbyte*) (uintptr_t) address);
}

JNIEXPORT void JNICALL Java_dev_ember_backend_cuda_SimGpu_nativeCopyOut(JNIEnv* env, jclass, jlong address,
                                                                  jbyteArray out) {
    env->SetByteArrayRegion(out, 0, env->GetArrayLength(out), (const jbyte*) (uintptr_t) address);
}

JNIEXPORT void JNICALL Java_dev_ember_backend_cuda_SimGpu_nativeLaunch(JNIEnv* env, jclass, jstring jname, jint gx,
                                                                 jint gy, jint gz, jint bx, jobjectArray params) {
    const char* chars = env->GetStringUTFChars(jname, nullptr);
    std::string name(chars);
    env->ReleaseStringUTFChars(jname, chars);
    auto it = registry().find(name);
    if (it == registry().end()) {
        throwJava(env, "java/lang/IllegalArgumentException", "no kernel named " + name);
        return;
    }
    const Kernel& k = it->second;
    jsize n = env->GetArrayLength(params);
    if ((size_t) n != k.paramSizes.size()) {
        throwJava(env, "java/lang/IllegalArgumentException", name + " takes " + std::to_string(k.paramSizes.size())
                + " parameters, got " + std::to_string(n));
        return;
    }
    std::vector<std::vector<jbyte>> bytes(n);
    std::vector<const void*> args(n);
    for (jsize i = 0; i < n; i++) {
        jbyteArray p = (jbyteArray) env->GetObjectArrayElement(params, i);
        jsize len = env->GetArrayLength(p);
        if ((size_t) len != k.paramSizes[i]) {
            throwJava(env, "java/lang/IllegalArgumentException", name + " parameter " + std::to_string(i) + " is "
                    + std::to_string(k.paramSizes[i]) + " bytes, got " + std::to_string(len));
            return;
        }
        bytes[i].resize(len);
        env->GetByteArrayRegion(p, 0, len, bytes[i].data());
        args[i] = bytes[i].data();
    }
    try {
        sim::launch(dim3{(unsigned) gx, (unsigned) gy, (unsigned) gz}, dim3{(unsigned) bx, 1, 1},
                    [&] { k.invoke(args); });
    } catch (const std::exception& e) {
        throwJava(env, "java/lang/IllegalStateException", name + ": " + e.what());
    }
}

}  // extern "C"
