# syntax=docker/dockerfile:1
# The meshbridge image: `meshbridge run` (the controller) and every other subcommand.
#
#   docker build -t ghcr.io/meshbridge/meshbridge:0.1.0 .
#
# Build: the .NET 10 SDK publishes src/MeshBridge.Cli framework-dependent and ReadyToRun-compiled (faster
# start: the controller's first reconciles do not wait for the JIT). Runtime: the ASP.NET Core runtime image,
# because MeshBridge uses the Microsoft.AspNetCore.App shared framework (Kestrel serves /metrics, /healthz and
# /readyz; the Controller, Kubernetes and Lab projects reference it), which the plain dotnet/runtime image lacks.
ARG DOTNET_VERSION=10.0

FROM mcr.microsoft.com/dotnet/sdk:${DOTNET_VERSION} AS build
# linux-x64 by default; linux-arm64 for arm64 nodes (docker build --build-arg RID=linux-arm64 ...).
ARG RID=linux-x64
WORKDIR /source

# Restore first, from the project files only, so a source change reuses the restored packages' layer.
COPY Directory.Build.props Directory.Packages.props ./
COPY src/MeshBridge.Certificates/MeshBridge.Certificates.csproj src/MeshBridge.Certificates/
COPY src/MeshBridge.Cli/MeshBridge.Cli.csproj src/MeshBridge.Cli/
COPY src/MeshBridge.Controller/MeshBridge.Controller.csproj src/MeshBridge.Controller/
COPY src/MeshBridge.Grpc/MeshBridge.Grpc.csproj src/MeshBridge.Grpc/
COPY src/MeshBridge.Kubernetes/MeshBridge.Kubernetes.csproj src/MeshBridge.Kubernetes/
COPY src/MeshBridge.Lab/MeshBridge.Lab.csproj src/MeshBridge.Lab/
COPY src/MeshBridge.Manifests/MeshBridge.Manifests.csproj src/MeshBridge.Manifests/
COPY src/MeshBridge.Protos/MeshBridge.Protos.csproj src/MeshBridge.Protos/
COPY src/MeshBridge.Transform/MeshBridge.Transform.csproj src/MeshBridge.Transform/
RUN dotnet restore src/MeshBridge.Cli -r ${RID} -p:PublishReadyToRun=true

COPY protos/ protos/
COPY src/ src/
RUN dotnet publish src/MeshBridge.Cli -c Release -p:PublishReadyToRun=true -r ${RID} --self-contained false \
        --no-restore -o /app

FROM mcr.microsoft.com/dotnet/aspnet:${DOTNET_VERSION} AS runtime
LABEL org.opencontainers.image.title="meshbridge" \
      org.opencontainers.image.description="Joins F5 NGINX Ingress Controller to an Istio mesh"
WORKDIR /app
COPY --from=build /app ./
# Not root: the same UID and GID the Deployment's securityContext asks for (runAsNonRoot needs a numeric USER).
# The root filesystem may be read-only; the .NET runtime writes only to $TMPDIR (an emptyDir on /tmp in
# deploy/base/deployment.yaml).
ENV TMPDIR=/tmp
USER 65532:65532
EXPOSE 8080 8081
ENTRYPOINT ["dotnet", "/app/meshbridge.dll"]
CMD ["run", "--leader-elect"]
