package io.scaledapi.simulator;

/** A command's usage: what it says, and exit 2, when its arguments are wrong. */
record Usage(String command, String usage) {

    String value(String flag, String value) {
        if (value == null) {
            fail(flag + " needs a value");
        }
        return value;
    }

    void fail(String problem) {
        System.err.println(command + ": " + problem);
        System.err.println("usage: " + usage);
        System.exit(2);
    }
}
