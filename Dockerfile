# syntax=docker/dockerfile:1
# The Reseal image: one jar, four services. The command picks the service:
#   docker run reseal producer|sealer|packager|notifier
# The producer serves its API, /health/* and /metrics on 8080; the workers serve /health/* and /metrics on
# 8081 (RESEAL_OPS_PORT). Configuration: RESEAL_CONFIG (default /etc/reseal/reseal.yaml) plus the variables
# listed in docs/configuration.md.

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.m2 \
    mvn -B -ntp -DskipTests -DskipITs -pl reseal-app -am package

FROM eclipse-temurin:17-jre
# curl for the health checks, openssl for compose's one-shot key generation
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl openssl \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 reseal \
 && useradd --system --uid 10001 --gid reseal --home-dir /var/lib/reseal --shell /usr/sbin/nologin reseal \
 && mkdir -p /var/lib/reseal/keys/sealing /var/lib/reseal/keys/signing /etc/reseal \
 && chown -R 10001:10001 /var/lib/reseal
COPY --from=build /src/reseal-app/target/reseal.jar /app/reseal.jar
USER 10001:10001
WORKDIR /var/lib/reseal
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError"
EXPOSE 8080 8081
ENTRYPOINT ["java","-jar","/app/reseal.jar"]
CMD ["--help"]
