package saelab.io;

import java.io.IOException;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import net.razorvine.pickle.IObjectConstructor;
import net.razorvine.pickle.Opcodes;
import net.razorvine.pickle.PickleException;
import net.razorvine.pickle.PickleUtils;
import net.razorvine.pickle.Unpickler;

/**
 * The restricted unpickler of a {@code torch.save} archive's {@code data.pkl}: Pyrolite's unpickler
 * (a well-kept Java implementation of Python's pickle protocol) with torch's persistent ids and the
 * few globals a state dict uses resolved per instance, nothing registered globally. Any other Python
 * global is a {@link PyGlobal} whose call is an error, so pickled code never runs. Length-prefixed
 * opcodes whose declared length exceeds the bytes left are refused before Pyrolite allocates them.
 */
final class TorchPickle {

    private TorchPickle() {}

    /** A Python global without a Java meaning (a storage class, or anything else): calling it is an error. */
    record PyGlobal(String module, String name) implements IObjectConstructor {
        @Override
        public Object construct(Object[] args) {
            throw new PickleException("it calls the Python global " + module + "." + name
                    + ", which a state dict of tensors does not contain");
        }
    }

    /** {@code collections.OrderedDict}: a map in insertion order; its instance state (torch's _metadata) is dropped. */
    static final class PyOrderedDict extends LinkedHashMap<Object, Object> {}

    /**
     * Unpickles {@code data.pkl} of a {@code torch.save} archive: Pyrolite's unpickler with torch's
     * persistent ids and the few globals a state dict uses resolved per instance (nothing registered globally).
     */
    static final class TorchUnpickler extends Unpickler {

        @Override
        protected Object dispatch(short key) throws PickleException, IOException {
            checkDeclaredLength(key);
            switch (key) {
                case Opcodes.GLOBAL -> {
                    String module = PickleUtils.readline(input);
                    String name = PickleUtils.readline(input);
                    stack.add(global(module, name));
                    return NO_RETURN_VALUE;
                }
                case Opcodes.STACK_GLOBAL -> {
                    Object name = stack.pop();
                    Object module = stack.pop();
                    stack.add(global(String.valueOf(module), String.valueOf(name)));
                    return NO_RETURN_VALUE;
                }
                case Opcodes.BUILD -> {
                    Object state = stack.pop();
                    if (stack.peek() instanceof PyOrderedDict) {
                        return NO_RETURN_VALUE; // state_dict._metadata: nothing saelab needs
                    }
                    stack.add(state);
                    return super.dispatch(key);
                }
                default -> {
                    return super.dispatch(key);
                }
            }
        }

        /**
         * Refuses a length-prefixed opcode (strings, bytes, long integers, frames) declaring more bytes than
         * the pickle has left: Pyrolite allocates the declared length before reading it.
         */
        private void checkDeclaredLength(short key) throws IOException {
            int width = switch (key) {
                case Opcodes.BINSTRING, Opcodes.BINBYTES, Opcodes.BINUNICODE, Opcodes.LONG4 -> 4;
                case Opcodes.BINUNICODE8, Opcodes.BINBYTES8, Opcodes.BYTEARRAY8, Opcodes.FRAME -> 8;
                default -> 0;
            };
            if (width == 0) {
                return;
            }
            input.mark(width);
            byte[] b = input.readNBytes(width);
            input.reset();
            long n = 0;
            for (int i = b.length - 1; i >= 0; i--) {
                n = n << 8 | (b[i] & 0xff);
            }
            long left = input.available() - (long) width;
            if (b.length < width || n < 0 || n > left) {
                throw new PickleException("opcode " + key + " declares " + Long.toUnsignedString(n) + " bytes, but only " + Math.max(0, left)
                        + " are left (truncated or hostile pickle)");
            }
        }

        private static Object global(String module, String name) {
            return switch (module + "." + name) {
                case "collections.OrderedDict" -> (IObjectConstructor) TorchUnpickler::orderedDict;
                case "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor" -> (IObjectConstructor) TorchUnpickler::rebuildTensor;
                case "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state" ->
                        (IObjectConstructor) args -> {
                            if (args.length < 1 || !(args[0] instanceof TorchArchive.View)) {
                                throw new PickleException("_rebuild_parameter without a tensor");
                            }
                            return args[0];
                        };
                case "torch._tensor._rebuild_from_type_v2" -> (IObjectConstructor) args -> {
                    if (args.length < 3 || !(args[0] instanceof IObjectConstructor fn) || !(args[2] instanceof Object[] inner)) {
                        throw new PickleException("unexpected arguments of _rebuild_from_type_v2");
                    }
                    return fn.construct(inner);
                };
                default -> new PyGlobal(module, name);
            };
        }

        private static Object orderedDict(Object[] args) {
            PyOrderedDict d = new PyOrderedDict();
            if (args.length == 1 && args[0] instanceof Map<?, ?> m) {
                d.putAll(m);
            } else if (args.length == 1 && args[0] instanceof Iterable<?> items) {
                for (Object item : items) {
                    if (!(item instanceof Object[] pair) || pair.length != 2) {
                        throw new PickleException("OrderedDict item is not a (key, value) pair");
                    }
                    d.put(pair[0], pair[1]);
                }
            } else if (args.length != 0) {
                throw new PickleException("OrderedDict with " + args.length + " arguments");
            }
            return d;
        }

        private static Object rebuildTensor(Object[] args) {
            if (args.length < 4 || !(args[0] instanceof TorchArchive.Storage s) || !(args[2] instanceof Object[] size)
                    || !(args[3] instanceof Object[] stride) || size.length != stride.length) {
                throw new PickleException("unexpected arguments of _rebuild_tensor_v2: " + Arrays.deepToString(args));
            }
            return new TorchArchive.View(s, toLong(args[1], "storage offset"), longs(size, "size"), longs(stride, "stride"));
        }

        @Override
        protected Object persistentLoad(Object pid) {
            if (!(pid instanceof Object[] t) || t.length < 5 || !"storage".equals(t[0]) || !(t[1] instanceof PyGlobal type)) {
                throw new PickleException("unexpected persistent id " + (pid instanceof Object[] a ? Arrays.deepToString(a) : pid)
                        + "; torch writes ('storage', storage_type, key, location, numel)");
            }
            return new TorchArchive.Storage(type.name(), String.valueOf(t[2]), String.valueOf(t[3]), toLong(t[4], "storage numel"));
        }

        private static long[] longs(Object[] v, String what) {
            long[] out = new long[v.length];
            for (int i = 0; i < v.length; i++) {
                out[i] = toLong(v[i], what);
                if (out[i] < 0) {
                    throw new PickleException("negative tensor " + what + " " + out[i]);
                }
            }
            return out;
        }

        private static long toLong(Object o, String what) {
            if (o instanceof Integer || o instanceof Long || o instanceof Short || o instanceof Byte) {
                return ((Number) o).longValue();
            }
            if (o instanceof BigInteger b && b.bitLength() < 63) {
                return b.longValue();
            }
            throw new PickleException(what + " is " + o + ", expected an integer");
        }
    }
}
