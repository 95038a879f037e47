package com.example;

import javax.net.ssl.SSLContext;

public class LegacyClient {
    public static void main(String[] args) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLSv1");
        ctx.init(null, null, null);
        System.out.println(ctx.getProtocol());
    }
}
