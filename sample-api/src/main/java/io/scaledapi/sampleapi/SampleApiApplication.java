package io.scaledapi.sampleapi;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** The cached catalog API (or relay) that ScaledApi scales. Configuration comes from the environment. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class SampleApiApplication {

    public static void main(String[] args) {
        SpringApplication.run(SampleApiApplication.class, args);
    }
}
