{{/* Names, labels and the per-role agent configuration. */}}

{{- define "infermon.fullname" -}}
{{- if contains "infermon" .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-infermon" .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* The name of a role's objects: <fullname>-aggregator, -node, -join; the sidecar example's model. */}}
{{- define "infermon.roleName" -}}
{{- $root := index . 0 -}}{{- $role := index . 1 -}}
{{- if eq $role "daemonset" -}}{{ include "infermon.fullname" $root }}-node
{{- else if eq $role "sidecar" -}}{{ include "infermon.fullname" $root }}-{{ $root.Values.sidecar.model.name }}
{{- else -}}{{ include "infermon.fullname" $root }}-{{ $role }}
{{- end -}}
{{- end -}}

{{- define "infermon.labels" -}}
{{- $root := index . 0 -}}{{- $component := index . 1 -}}
app.kubernetes.io/name: infermon
app.kubernetes.io/instance: {{ $root.Release.Name }}
app.kubernetes.io/component: {{ $component }}
app.kubernetes.io/version: {{ $root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ $root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" $root.Chart.Name $root.Chart.Version }}
{{- end -}}

{{/* Pod selector of a role: the agent label (its mode) and the role. */}}
{{- define "infermon.selector" -}}
{{- $root := index . 0 -}}{{- $role := index . 1 -}}
infermon.io/agent: {{ ternary "aggregator" $role (eq $role "join") }}
app.kubernetes.io/instance: {{ $root.Release.Name }}
app.kubernetes.io/component: {{ $role }}
{{- end -}}

{{- define "infermon.image" -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag -}}
{{- if .Values.image.digest -}}{{ .Values.image.repository }}@{{ .Values.image.digest }}
{{- else -}}{{ .Values.image.repository }}:{{ $tag }}
{{- end -}}
{{- end -}}

{{/* The configuration as given (values.config), else the generated files/infermon.yaml. */}}
{{- define "infermon.baseConfig" -}}
{{- if .Values.config -}}{{ toYaml .Values.config }}{{- else -}}{{ .Files.Get "files/infermon.yaml" }}{{- end -}}
{{- end -}}

{{/* model name → profile JSON, from values.profiles, else files/profiles.yaml; fails naming the value. */}}
{{- define "infermon.profiles" -}}
{{- $cfg := include "infermon.baseConfig" . | fromYaml -}}
{{- $files := .Files.Get "files/profiles.yaml" | fromYaml | default dict -}}
{{- $out := dict -}}
{{- range $m := $cfg.models -}}
{{- $p := index $.Values.profiles $m.name | default (index $files $m.name) -}}
{{- if $p -}}
{{- $_ := set $out $m.name $p -}}
{{- else if not $.Values.existingProfilesConfigMap -}}
{{- fail (printf "profiles.%s: missing: model %q needs its reference profile (--set-file profiles.%s=profile.json, or existingProfilesConfigMap)" $m.name $m.name $m.name) -}}
{{- end -}}
{{- end -}}
{{- toYaml $out -}}
{{- end -}}

{{/* The join's ingest as the other agents reach it: https when the forwarders' Secret carries config.forward.tls_config. */}}
{{- define "infermon.joinUrl" -}}
{{- $fwd := (include "infermon.baseConfig" . | fromYaml).forward | default dict -}}
{{ ternary "https" "http" (and (not (empty .Values.forward.secret)) (not (empty $fwd.tls_config))) }}://{{ include "infermon.roleName" (list . "join") }}.{{ .Release.Namespace }}.svc:8081
{{- end -}}

{{/* True when a role's agent forwards its predictions to the join (no Kafka). */}}
{{- define "infermon.forwards" -}}
{{- $root := index . 0 -}}{{- $role := index . 1 -}}
{{- if and $root.Values.join.enabled (ne $role "join") (not (include "infermon.baseConfig" $root | fromYaml).kafka) -}}true{{- end -}}
{{- end -}}

{{/*
The credential Secrets a role's agent mounts read-only at /etc/<volume> (volume → Secret): the
join's ingest web config (ingest.webConfigSecret), the forwarders' credentials (forward.secret).
The same volumes and paths as the generated manifests (docs/deploy.md).
*/}}
{{- define "infermon.roleSecrets" -}}
{{- $root := index . 0 -}}{{- $role := index . 1 -}}
{{- $out := dict -}}
{{- if and (eq $role "join") $root.Values.ingest.webConfigSecret -}}
{{- $_ := set $out "infermon-ingest-web" $root.Values.ingest.webConfigSecret -}}
{{- end -}}
{{- if and $root.Values.forward.secret (include "infermon.forwards" (list $root $role)) -}}
{{- $_ := set $out "infermon-forward" $root.Values.forward.secret -}}
{{- end -}}
{{- toYaml $out -}}
{{- end -}}

{{/* A credential Secret set without the config key that reads from it fails, naming both. */}}
{{- define "infermon.checkSecrets" -}}
{{- $root := index . 0 -}}{{- $cfg := index . 1 -}}
{{- if and $root.Values.ingest.webConfigSecret (not (default dict $cfg.ingest).web_config_file) -}}
{{- fail "ingest.webConfigSecret: config.ingest.web_config_file is not set: name the web config file the Secret holds" -}}
{{- end -}}
{{- $fwd := default dict $cfg.forward -}}
{{- if and $root.Values.forward.secret (not (or $fwd.authorization $fwd.basic_auth $fwd.tls_config)) -}}
{{- fail "forward.secret: config.forward has no basic_auth, authorization or tls_config whose files the Secret holds" -}}
{{- end -}}
{{- end -}}

{{/* config.forward's client settings (authorization, basic_auth, tls_config), their files in the forwarders' Secret. */}}
{{- define "infermon.forwardClient" -}}
{{- $fwd := default dict (index . 0) -}}
{{- $out := dict -}}
{{- range $k := list "authorization" "basic_auth" "tls_config" -}}
{{- with index $fwd $k -}}
{{- $c := deepCopy . -}}
{{- range $f := list "credentials_file" "password_file" "ca_file" "cert_file" "key_file" -}}
{{- with index $c $f -}}{{- $_ := set $c $f (printf "/etc/infermon-forward/%s" (base .)) -}}{{- end -}}
{{- end -}}
{{- $_ := set $out $k $c -}}
{{- end -}}
{{- end -}}
{{- toYaml $out -}}
{{- end -}}

{{/* infermon.yaml of a role: the base config with the listeners, upstream and join of the topology. */}}
{{- define "infermon.agentConfig" -}}
{{- $root := index . 0 -}}{{- $role := index . 1 -}}
{{- $cfg := include "infermon.baseConfig" $root | fromYaml -}}
{{- if not $cfg.models -}}{{- fail "config.models: at least one model is required" -}}{{- end -}}
{{- include "infermon.checkSecrets" (list $root $cfg) -}}
{{- $userIngest := default dict $cfg.ingest -}}{{- $userForward := $cfg.forward -}}
{{- $_ := unset $cfg "deploy" -}}{{- $_ := unset $cfg "alerting" -}}{{- $_ := unset $cfg "forward" -}}
{{- $models := list -}}
{{- range $m := $cfg.models -}}
{{- /* a shadow replays what the tap forwarded: only the sidecar has a tap */ -}}
{{- $kept := ternary (omit $m "reference") (omit $m "reference" "shadow") (eq $role "sidecar") -}}
{{- $models = append $models (merge (dict "reference" (printf "/etc/infermon/%s.json" $m.name)) $kept) -}}
{{- end -}}
{{- $_ := set $cfg "models" $models -}}
{{- if eq $role "sidecar" -}}
{{- $tap := merge (dict "listen" "0.0.0.0:8080" "upstream" (printf "http://127.0.0.1:%v" $root.Values.sidecar.model.port)) (omit (default dict $cfg.tap) "listen" "upstream") -}}
{{- $_ := set $cfg "tap" $tap -}}{{- $_ := unset $cfg "ingest" -}}
{{- else -}}
{{- $_ := unset $cfg "tap" -}}
{{- $ingest := dict "listen" "0.0.0.0:8081" -}}
{{- /* only the join's ingest authenticates: payload loggers send no credentials (docs/deploy.md) */ -}}
{{- if and (eq $role "join") $root.Values.ingest.webConfigSecret -}}
{{- $_ := set $ingest "web_config_file" (printf "/etc/infermon-ingest-web/%s" (base $userIngest.web_config_file)) -}}
{{- end -}}
{{- $_ := set $cfg "ingest" $ingest -}}
{{- end -}}
{{- $_ := set $cfg "metrics" (dict "listen" "0.0.0.0:9464") -}}
{{- if $cfg.kafka -}}
{{- $_ := set $cfg.kafka "publish_predictions" (ne $role "join") -}}
{{- else if and $root.Values.join.enabled (ne $role "join") -}}
{{- $fwd := dict "url" (include "infermon.joinUrl" $root) -}}
{{- if $root.Values.forward.secret -}}
{{- $fwd = merge $fwd (include "infermon.forwardClient" (list $userForward) | fromYaml) -}}
{{- end -}}
{{- $_ := set $cfg "forward" $fwd -}}
{{- end -}}
{{- toYaml $cfg -}}
{{- end -}}

{{/* The `infermon` container of a role. */}}
{{- define "infermon.container" -}}
{{- $root := index . 0 -}}{{- $role := index . 1 -}}{{- $resources := index . 2 -}}
name: infermon
image: {{ include "infermon.image" $root }}
imagePullPolicy: {{ $root.Values.image.pullPolicy }}
args: ["run", "-c", "/etc/infermon/infermon.yaml", "--grace", "10s"]
ports:
  {{- if eq $role "sidecar" }}
  - { name: infermon-tap, containerPort: 8080, protocol: TCP }
  {{- else }}
  - { name: infermon-ingest, containerPort: 8081, protocol: TCP }
  {{- end }}
  - { name: infermon-metric, containerPort: 9464, protocol: TCP }
env:
  - { name: K8S_POD_NAME, valueFrom: { fieldRef: { fieldPath: metadata.name } } }
  - { name: K8S_NAMESPACE_NAME, valueFrom: { fieldRef: { fieldPath: metadata.namespace } } }
  - { name: K8S_NODE_NAME, valueFrom: { fieldRef: { fieldPath: spec.nodeName } } }
startupProbe: { httpGet: { path: /readyz, port: infermon-metric }, periodSeconds: 2, timeoutSeconds: 2, failureThreshold: 30 }
readinessProbe: { httpGet: { path: /readyz, port: infermon-metric }, periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 3 }
livenessProbe: { httpGet: { path: /healthz, port: infermon-metric }, periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3 }
resources: {{- toYaml $resources | nindent 2 }}
securityContext:
  allowPrivilegeEscalation: false
  readOnlyRootFilesystem: true
  runAsNonRoot: true
  capabilities: { drop: [ALL] }
volumeMounts:
  - { name: infermon-config, mountPath: /etc/infermon, readOnly: true }
  - { name: infermon-tmp, mountPath: /tmp }
{{- range $volume, $_ := include "infermon.roleSecrets" (list $root $role) | fromYaml }}
  - { name: {{ $volume }}, mountPath: /etc/{{ $volume }}, readOnly: true }
{{- end }}
{{- end -}}

{{- define "infermon.podSecurity" -}}
securityContext:
  runAsNonRoot: true
  runAsUser: 1000
  runAsGroup: 1000
  seccompProfile: { type: RuntimeDefault }
automountServiceAccountToken: false
{{- end -}}

{{- define "infermon.volumes" -}}
{{- $root := index . 0 -}}{{- $role := index . 1 -}}
volumes:
  - name: infermon-config
    projected:
      sources:
        - configMap: { name: {{ include "infermon.roleName" (list $root $role) }}-config }
        {{- if $root.Values.existingProfilesConfigMap }}
        - configMap: { name: {{ $root.Values.existingProfilesConfigMap }} }
        {{- end }}
  - name: infermon-tmp
    emptyDir: { medium: Memory, sizeLimit: 16Mi }
{{- range $volume, $secret := include "infermon.roleSecrets" (list $root $role) | fromYaml }}
  # a missing Secret keeps the pod pending with an event naming it, rather than starting it open
  - name: {{ $volume }}
    secret: { secretName: {{ $secret }}, defaultMode: 288 }  # 0440
{{- end }}
{{- end -}}
