package saelab.notebook;

import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Finds the Java kernel this code runs in and returns a {@link KernelDisplay} for it.
 *
 * <p>The kernels are reached by reflection, because the library must load (and be testable) without
 * any kernel on its classpath, and because the three kernels in use each have their own API. What
 * is looked up (all are public API of the kernels; user code runs in the kernel's JVM in all three):
 * <ul>
 *   <li>rapaio-jupyter-kernel: the static field {@code org.rapaio.jupyter.kernel.MainApp.kernel};</li>
 *   <li>IJava 1.3: {@code io.github.spencerpark.ijava.IJava.getKernelInstance()};</li>
 *   <li>JJava 1.0: {@code org.dflib.jjava.kernel.JavaNotebookStatics.kernel()} or, in its alphas,
 *       {@code org.dflib.jjava.JJava.getKernelInstance()}.</li>
 * </ul>
 * Each kernel object has a public {@code display(DisplayData)} method; its parameter type is made
 * either with a public no-argument constructor or with a static {@code withType(String, String)}
 * factory, then filled with {@code putData(String mime, Object content)}.
 */
public final class KernelDisplays {

    /** A place to look for a kernel: the class, and a static field or no-argument static method. */
    record Locator(String name, String className, String member) {}

    static final List<Locator> LOCATORS = List.of(
            new Locator("rapaio", "org.rapaio.jupyter.kernel.MainApp", "kernel"),
            new Locator("JJava", "org.dflib.jjava.kernel.JavaNotebookStatics", "kernel"),
            new Locator("JJava", "org.dflib.jjava.JJava", "getKernelInstance"),
            new Locator("IJava", "io.github.spencerpark.ijava.IJava", "getKernelInstance"));

    private static volatile KernelDisplay detected;

    private KernelDisplays() {}

    /** The display of the running kernel, or the console display when no kernel is running. */
    public static KernelDisplay detect() {
        KernelDisplay d = detected;
        if (d == null) {
            d = LOCATORS.stream().map(KernelDisplays::tryLocate).flatMap(Optional::stream).findFirst()
                    .orElseGet(ConsoleDisplay::new);
            detected = d;
        }
        return d;
    }

    /** Overrides detection (tests, or a frontend of one's own). {@code null} re-enables detection. */
    public static void use(KernelDisplay display) {
        detected = display;
    }

    private static Optional<KernelDisplay> tryLocate(Locator loc) {
        Class<?> cls;
        try {
            cls = Class.forName(loc.className(), true, loaderOf());
        } catch (ClassNotFoundException | LinkageError e) {
            return Optional.empty();
        }
        Object kernel = readStatic(cls, loc.member());
        return kernel == null ? Optional.empty() : Optional.of(forKernel(loc.name(), kernel));
    }

    private static ClassLoader loaderOf() {
        ClassLoader ctx = Thread.currentThread().getContextClassLoader();
        return ctx != null ? ctx : KernelDisplays.class.getClassLoader();
    }

    private static Object readStatic(Class<?> cls, String member) {
        try {
            for (Field f : cls.getFields()) {
                if (f.getName().equals(member) && Modifier.isStatic(f.getModifiers())) {
                    return f.get(null);
                }
            }
            Method m = cls.getMethod(member);
            return Modifier.isStatic(m.getModifiers()) ? m.invoke(null) : null;
        } catch (NoSuchMethodException | IllegalAccessException e) {
            return null;
        } catch (InvocationTargetException e) {
            return null; // the accessor exists but no kernel is running in this JVM
        }
    }

    /**
     * A display that hands bundles to {@code kernel.display(DisplayData)}, building the kernel's own
     * DisplayData type from the method's parameter type.
     *
     * @throws IllegalArgumentException when the object has no usable {@code display} method
     */
    static KernelDisplay forKernel(String name, Object kernel) {
        Method display = null;
        for (Method m : kernel.getClass().getMethods()) {
            if (m.getName().equals("display") && m.getParameterCount() == 1
                    && hasPutData(m.getParameterTypes()[0])) {
                display = m;
                break;
            }
        }
        if (display == null) {
            throw new IllegalArgumentException(name + " kernel " + kernel.getClass().getName()
                    + " has no public display(DisplayData) method whose DisplayData has putData(String, Object)"
                    + " and a public no-argument constructor or a static withType(String, String)");
        }
        return new ReflectiveDisplay(name, kernel, display);
    }

    /** Whether the kernel's DisplayData type can be made (public no-arg constructor or static withType) and filled. */
    private static boolean hasPutData(Class<?> type) {
        try {
            type.getMethod("putData", String.class, Object.class);
        } catch (NoSuchMethodException e) {
            return false;
        }
        try {
            type.getConstructor();
            return true;
        } catch (NoSuchMethodException e) {
            try {
                return Modifier.isStatic(type.getMethod("withType", String.class, String.class).getModifiers());
            } catch (NoSuchMethodException e2) {
                return false;
            }
        }
    }

    /** Sends bundles through a kernel's display method found by reflection. */
    private record ReflectiveDisplay(String name, Object kernel, Method display) implements KernelDisplay {

        @Override
        public void display(MimeBundle bundle) {
            Class<?> dataType = display.getParameterTypes()[0];
            try {
                Object data = newDisplayData(dataType, bundle);
                Method put = dataType.getMethod("putData", String.class, Object.class);
                for (Map.Entry<String, String> e : bundle.data().entrySet()) {
                    put.invoke(data, e.getKey(), e.getValue());
                }
                display.invoke(kernel, data);
            } catch (ReflectiveOperationException e) {
                Throwable cause = e instanceof InvocationTargetException ite ? ite.getCause() : e;
                throw new IllegalStateException("the " + name + " kernel refused a display of "
                        + bundle.data().keySet() + ": " + cause, cause);
            }
        }

        private static Object newDisplayData(Class<?> type, MimeBundle bundle) throws ReflectiveOperationException {
            try {
                Constructor<?> c = type.getConstructor();
                return c.newInstance();
            } catch (NoSuchMethodException e) {
                Method factory = type.getMethod("withType", String.class, String.class);
                return factory.invoke(null, "text/plain", bundle.plainText());
            }
        }
    }

    /** Outside a kernel: prints the plain-text fallback so scripts and tests still see what was shown. */
    static final class ConsoleDisplay implements KernelDisplay {
        @Override
        public String name() {
            return "console";
        }

        @Override
        public void display(MimeBundle bundle) {
            System.out.println(bundle.plainText());
        }
    }
}
