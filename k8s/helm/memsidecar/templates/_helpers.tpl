{{- define "memsidecar.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "memsidecar.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else if contains (include "memsidecar.name" .) .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name (include "memsidecar.name" .) | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{- define "memsidecar.selectorLabels" -}}
app.kubernetes.io/name: {{ include "memsidecar.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "memsidecar.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "memsidecar.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: memsidecar
{{- end }}

{{- define "memsidecar.configMapName" -}}
{{- .Values.existingConfigMap | default (printf "%s-config" (include "memsidecar.fullname" .)) }}
{{- end }}

{{/* The server section: listeners from the mode, TLS from the values. */}}
{{- define "memsidecar.serverConfig" -}}
grpc:
  tcp: "0.0.0.0:7777"
  {{- if eq .Values.mode "sidecar" }}
  uds: /run/memsidecar/memsidecar.sock
  {{- end }}
  {{- if .Values.tls.enabled }}
  tls:
    cert_file: /etc/memsidecar-tls/tls.crt
    key_file: /etc/memsidecar-tls/tls.key
    {{- if .Values.tls.mtls }}
    client_ca_file: /etc/memsidecar-tls/ca.crt
    require_client_cert: {{ .Values.tls.requireClientCert }}
    {{- end }}
  {{- end }}
http:
  addr: "0.0.0.0:8080"
shutdown_timeout: {{ .Values.server.shutdownTimeout }}
request_timeout: {{ .Values.server.requestTimeout }}
{{- end }}

{{/* The whole memsidecar.yaml. */}}
{{- define "memsidecar.config" -}}
{{- $c := deepCopy .Values.config }}
{{- $_ := set $c "server" (include "memsidecar.serverConfig" . | fromYaml) }}
{{- $_ := set $c "data_dir" "/var/lib/memsidecar" }}
{{- if .Values.auth.jwt.enabled }}
{{- $jwt := dict "alg" .Values.auth.jwt.alg }}
{{- if .Values.auth.jwt.existingSecret }}{{ $_ := set $jwt "secret_env" "MEMSIDECAR_JWT_SECRET" }}{{ end }}
{{- $auth := (get $c "auth") | default dict }}
{{- $_ := set $auth "verifier" "jwt" }}
{{- $_ := set $auth "jwt" (merge (get $auth "jwt" | default dict) $jwt) }}
{{- $_ := set $c "auth" $auth }}
{{- end }}
{{- if .Values.scaleOut.enabled }}
{{- $s3 := dict "bucket" .Values.scaleOut.s3.bucket "region" .Values.scaleOut.s3.region }}
{{- with .Values.scaleOut.s3.endpoint }}{{ $_ := set $s3 "endpoint" . }}{{ end }}
{{- with .Values.scaleOut.s3.prefix }}{{ $_ := set $s3 "prefix" . }}{{ end }}
{{- if .Values.scaleOut.s3.credentialsSecret.name }}
{{- $_ := set $s3 "access_key_env" "MEMSIDECAR_S3_ACCESS_KEY" }}
{{- $_ := set $s3 "secret_key_env" "MEMSIDECAR_S3_SECRET_KEY" }}
{{- end }}
{{- $pg := dict "dsn_env" "MEMSIDECAR_PG_DSN" "max_conns" .Values.scaleOut.postgres.maxConns "connect_timeout" .Values.scaleOut.postgres.connectTimeout }}
{{- $_ := set $c "backends" (list (dict "name" "pg" "driver" "postgres" "options" $pg) (dict "name" "s3" "driver" "s3" "options" $s3)) }}
{{- $namespaces := list }}
{{- range .Values.namespaces }}
{{- $namespaces = append $namespaces (merge (dict "backend" (ternary "s3" "pg" (eq .block "artifact"))) (omit . "backend")) }}
{{- end }}
{{- $_ := set $c "namespaces" $namespaces }}
{{- else }}
{{- $_ := set $c "backends" .Values.backends }}
{{- $_ := set $c "namespaces" .Values.namespaces }}
{{- end }}
{{- if .Values.encryption.enabled }}
{{- $keys := list }}
{{- range .Values.encryption.keys }}
{{- $keys = append $keys (dict "id" .id "secret_env" (printf "MEMSIDECAR_ENCRYPTION_%s" (.id | upper | replace "-" "_"))) }}
{{- end }}
{{- $_ := set $c "encryption" (merge (get $c "encryption" | default dict) (dict "keys" $keys)) }}
{{- end }}
{{- toYaml $c }}
{{- end }}

{{/* Probes: gRPC health on 7777 in plaintext; kubelet's gRPC probe speaks no TLS, so with TLS the HTTPS routes. */}}
{{- define "memsidecar.probes" -}}
{{- if .Values.tls.enabled }}
startupProbe:
  httpGet: { path: /livez, port: 8080, scheme: HTTPS }
  periodSeconds: 1
  failureThreshold: 30
livenessProbe:
  httpGet: { path: /livez, port: 8080, scheme: HTTPS }
  periodSeconds: 10
readinessProbe:
  httpGet: { path: /readyz, port: 8080, scheme: HTTPS }
  periodSeconds: 5
{{- else }}
startupProbe:
  grpc: { port: 7777 }
  periodSeconds: 1
  failureThreshold: 30
livenessProbe:
  grpc: { port: 7777 }
  periodSeconds: 10
readinessProbe:
  httpGet: { path: /readyz, port: 8080 }
  periodSeconds: 5
{{- end }}
{{- end }}

{{/* The memsidecar container, the same in both shapes (a native sidecar adds restartPolicy: Always). */}}
{{- define "memsidecar.container" -}}
name: memsidecar
image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
imagePullPolicy: {{ .Values.image.pullPolicy }}
args: ["--config", "/etc/memsidecar/memsidecar.yaml"]
env:
  {{- with .Values.auth.paseto.existingSecret }}
  - name: MEMSIDECAR_AUTH__PASETO__PUBLIC_KEY_HEX
    valueFrom: { secretKeyRef: { name: {{ . }}, key: {{ $.Values.auth.paseto.key }} } }
  {{- end }}
  {{- if and .Values.auth.jwt.enabled .Values.auth.jwt.existingSecret }}
  - name: MEMSIDECAR_JWT_SECRET
    valueFrom: { secretKeyRef: { name: {{ .Values.auth.jwt.existingSecret }}, key: {{ .Values.auth.jwt.key }} } }
  {{- end }}
  {{- if .Values.scaleOut.enabled }}
  - name: MEMSIDECAR_PG_DSN
    valueFrom: { secretKeyRef: { name: {{ .Values.scaleOut.postgres.dsnSecret.name }}, key: {{ .Values.scaleOut.postgres.dsnSecret.key }} } }
  {{- with .Values.scaleOut.s3.credentialsSecret }}
  {{- if .name }}
  - name: MEMSIDECAR_S3_ACCESS_KEY
    valueFrom: { secretKeyRef: { name: {{ .name }}, key: {{ .accessKeyKey }} } }
  - name: MEMSIDECAR_S3_SECRET_KEY
    valueFrom: { secretKeyRef: { name: {{ .name }}, key: {{ .secretKeyKey }} } }
  {{- end }}
  {{- end }}
  {{- end }}
  {{- if .Values.encryption.enabled }}
  {{- range .Values.encryption.keys }}
  - name: {{ printf "MEMSIDECAR_ENCRYPTION_%s" (.id | upper | replace "-" "_") }}
    valueFrom: { secretKeyRef: { name: {{ $.Values.encryption.existingSecret }}, key: {{ .key }} } }
  {{- end }}
  {{- end }}
ports:
  - { name: grpc, containerPort: 7777 }
  - { name: http, containerPort: 8080 }
  - { name: metrics, containerPort: 9090 }
{{- include "memsidecar.probes" . | nindent 0 }}
lifecycle:
  preStop:
    sleep: { seconds: {{ .Values.server.preStopSeconds }} }
resources:
  {{- toYaml .Values.resources | nindent 2 }}
securityContext:
  allowPrivilegeEscalation: false
  readOnlyRootFilesystem: true
  runAsNonRoot: true
  capabilities: { drop: [ALL] }
volumeMounts:
  - { name: config, mountPath: /etc/memsidecar, readOnly: true }
  {{- if .Values.tls.enabled }}
  - { name: tls, mountPath: /etc/memsidecar-tls, readOnly: true }
  {{- end }}
  {{- if eq .Values.mode "sidecar" }}
  - { name: socket, mountPath: /run/memsidecar }
  {{- end }}
  - { name: data, mountPath: /var/lib/memsidecar }
  - { name: tmp, mountPath: /tmp }
{{- end }}

{{/* Seconds of a Go duration such as 10s, 1m30s (for the grace period). */}}
{{- define "memsidecar.seconds" -}}
{{- $d := . | toString }}
{{- $total := 0 }}
{{- range regexFindAll "[0-9]+[hms]" $d -1 }}
{{- $n := trimSuffix "h" (trimSuffix "m" (trimSuffix "s" .)) | int }}
{{- if hasSuffix "h" . }}{{ $total = add $total (mul $n 3600) }}{{ else if hasSuffix "m" . }}{{ $total = add $total (mul $n 60) }}{{ else }}{{ $total = add $total $n }}{{ end }}
{{- end }}
{{- $total }}
{{- end }}

{{/* The pod: restricted Pod Security Standard, the volumes of both shapes. */}}
{{- define "memsidecar.podSpecCommon" -}}
{{- with .Values.imagePullSecrets -}}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  runAsNonRoot: true
  runAsUser: 65532
  runAsGroup: 65532
  fsGroup: 65532
  seccompProfile: { type: RuntimeDefault }
terminationGracePeriodSeconds: {{ add (include "memsidecar.seconds" .Values.server.shutdownTimeout | int) .Values.server.preStopSeconds 5 }}
{{- with .Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
volumes:
  - name: config
    configMap: { name: {{ include "memsidecar.configMapName" . }} }
  {{- if .Values.tls.enabled }}
  - name: tls
    secret: { secretName: {{ .Values.tls.existingSecret }} }
  {{- end }}
  {{- if eq .Values.mode "sidecar" }}
  - name: socket
    emptyDir: { medium: Memory, sizeLimit: 1Mi }
  {{- end }}
  {{- if .Values.persistence.existingClaim }}
  - name: data
    persistentVolumeClaim: { claimName: {{ .Values.persistence.existingClaim }} }
  {{- else }}
  - name: data
    emptyDir: { sizeLimit: {{ .Values.persistence.sizeLimit }} }
  {{- end }}
  - name: tmp
    emptyDir: { medium: Memory, sizeLimit: 16Mi }
{{- end }}

{{- define "memsidecar.podMetadata" -}}
labels:
  {{- include "memsidecar.selectorLabels" . | nindent 2 }}
  {{- with .Values.podLabels }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
{{- if or .Values.podAnnotations .Values.restartOnConfigChange }}
annotations:
  {{- with .Values.podAnnotations }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
  {{- if .Values.restartOnConfigChange }}
  checksum/config: {{ include "memsidecar.config" . | sha256sum }}
  {{- end }}
{{- end }}
{{- end }}
