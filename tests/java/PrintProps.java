/** PrintProps NAME...: prints NAME=VALUE for each system property, as the program sees them in main. */
public final class PrintProps {
    private PrintProps() {
    }

    public static void main(String[] args) {
        for (String name : args)
            System.out.println(name + "=" + System.getProperty(name));
    }
}
