# The image deploy/k8s runs: the ./instanode launcher with its classpath built once, as uid 10001.
#   docker build -t registry.example.com/instanode:1 .
# The launcher rebuilds only when a source is newer than the build, which never happens in the
# image, so it starts straight away; serve needs no Maven or network at run time.
FROM eclipse-temurin:25-jdk
WORKDIR /app
COPY . .
# Dependencies go to /opt/m2, a path the run-time user can read (the classpath names them).
RUN ./mvnw -B -ntp -q -DskipTests -Dspotless.check.skip=true -Dmaven.repo.local=/opt/m2 install \
 && groupadd --gid 10001 instanode \
 && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /tmp instanode
USER 10001:10001
ENV HOME=/tmp INSTANODE_COMMIT_ID=image
EXPOSE 8080 50051
ENTRYPOINT ["/app/instanode"]
CMD ["serve", "--roles", "api"]
