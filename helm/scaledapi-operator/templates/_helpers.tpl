{{- define "scaledapi.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "scaledapi.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "scaledapi.selector" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "scaledapi.serviceAccountName" -}}
{{- default (include "scaledapi.fullname" .) .Values.serviceAccount.name -}}
{{- end -}}

{{- define "scaledapi.leaderElection" -}}
{{- if or .Values.leaderElection.enabled (gt (int .Values.replicas) 1) -}}true{{- else -}}false{{- end -}}
{{- end -}}

{{/* What the operator does to the objects it owns, in each namespace it watches. No wildcards. */}}
{{- define "scaledapi.rules" -}}
- apiGroups: ["scaledapi.io"]
  resources: ["scaledapis"]
  verbs: ["get", "list", "watch"]
- apiGroups: ["scaledapi.io"]
  resources: ["scaledapis/status"]
  verbs: ["get", "patch", "update"]
# Owned objects name the ScaledApi as their controller with blockOwnerDeletion, which clusters that enforce owner
# references (OwnerReferencesPermissionEnforcement) allow only to who may update the owner's finalizers.
- apiGroups: ["scaledapi.io"]
  resources: ["scaledapis/finalizers"]
  verbs: ["update"]
- apiGroups: ["apps"]
  resources: ["deployments"]
  verbs: ["get", "list", "watch", "create", "patch", "update", "delete"]
# Read only: a pod counts as the API's only if its ReplicaSet belongs to the API's Deployment.
- apiGroups: ["apps"]
  resources: ["replicasets"]
  verbs: ["get", "list", "watch"]
- apiGroups: [""]
  resources: ["services"]
  verbs: ["get", "list", "watch", "create", "patch", "update", "delete"]
- apiGroups: ["policy"]
  resources: ["poddisruptionbudgets"]
  verbs: ["get", "list", "watch", "create", "patch", "update", "delete"]
# Who may reach a managed Redis (cache.shared.managed): only the API's pods.
- apiGroups: ["networking.k8s.io"]
  resources: ["networkpolicies"]
  verbs: ["get", "list", "watch", "create", "patch", "update", "delete"]
# A managed Redis's password (NAME-redis-auth), made once: get and create only. No list or watch, so the operator
# cannot enumerate Secrets; get cannot be narrowed to its own names, which RBAC would need to know at install.
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get", "create"]
# patch: the pod-deletion-cost annotation, set before a scale-in so the coldest pods go first.
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["get", "list", "watch", "patch"]
{{- if eq .Values.scrape.mode "proxy" }}
# scrape.mode proxy: the pods' metrics through the API server's proxy.
- apiGroups: [""]
  resources: ["pods/proxy"]
  verbs: ["get"]
{{- end }}
# A new pod starts with a raised CPU limit (spec.startup.cpuBoostPercent) and is resized in place once ready.
- apiGroups: [""]
  resources: ["pods/resize"]
  verbs: ["patch"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create", "patch"]
# The autoscaler's checkpoint (<name>-autoscaler), read when the operator first meets a ScaledApi and applied
# server-side (patch; create for the first apply). Owned by the ScaledApi, so the garbage collector deletes it.
- apiGroups: [""]
  resources: ["configmaps"]
  verbs: ["get", "create", "patch"]
{{- end -}}
