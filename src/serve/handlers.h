// The route handlers, thin: parse the request, call the library, shape the answer. Routes
// with and without a version (or alias) share a handler, which reads the optional
// parameters "version" and "alias".
#pragma once

#include "serve/routes.h"

namespace strata::serve {

// health_handlers.cc
HandlerResult HandleHealthz(ServerContext& context, const RouteRequest& request);
HandlerResult HandleReadyz(ServerContext& context, const RouteRequest& request);
HandlerResult HandleMetrics(ServerContext& context, const RouteRequest& request);
HandlerResult HandleOpenApi(ServerContext& context, const RouteRequest& request);
HandlerResult HandleV2Server(ServerContext& context, const RouteRequest& request);

// predict_handlers.cc
HandlerResult HandleV2ModelMetadata(ServerContext& context, const RouteRequest& request);
HandlerResult HandleV2ModelReady(ServerContext& context, const RouteRequest& request);
HandlerResult HandleV2Infer(ServerContext& context, const RouteRequest& request);
HandlerResult HandleV1Predict(ServerContext& context, const RouteRequest& request);

// registry_handlers.cc
HandlerResult HandleListModels(ServerContext& context, const RouteRequest& request);
HandlerResult HandleGetModel(ServerContext& context, const RouteRequest& request);
HandlerResult HandleListVersions(ServerContext& context, const RouteRequest& request);
HandlerResult HandleGetVersion(ServerContext& context, const RouteRequest& request);
HandlerResult HandleListAliases(ServerContext& context, const RouteRequest& request);
HandlerResult HandleSetAlias(ServerContext& context, const RouteRequest& request);
HandlerResult HandleDeleteAlias(ServerContext& context, const RouteRequest& request);
HandlerResult HandleRollbackAlias(ServerContext& context, const RouteRequest& request);

// job_handlers.cc
HandlerResult HandleSubmitJob(ServerContext& context, const RouteRequest& request);
HandlerResult HandleListJobs(ServerContext& context, const RouteRequest& request);
HandlerResult HandleGetJob(ServerContext& context, const RouteRequest& request);
HandlerResult HandleJobEvents(ServerContext& context, const RouteRequest& request);
HandlerResult HandleJobLogs(ServerContext& context, const RouteRequest& request);
HandlerResult HandleCancelJob(ServerContext& context, const RouteRequest& request);
HandlerResult HandleRetryJob(ServerContext& context, const RouteRequest& request);

// model_type_handlers.cc
HandlerResult HandleListModelTypes(ServerContext& context, const RouteRequest& request);

// sql_handlers.cc
HandlerResult HandleSql(ServerContext& context, const RouteRequest& request);

// dataset_handlers.cc
HandlerResult HandleUploadDataset(ServerContext& context, const RouteRequest& request);
HandlerResult HandleListDatasets(ServerContext& context, const RouteRequest& request);
HandlerResult HandleGetDataset(ServerContext& context, const RouteRequest& request);
HandlerResult HandlePreviewDataset(ServerContext& context, const RouteRequest& request);
HandlerResult HandleProfileDataset(ServerContext& context, const RouteRequest& request);
HandlerResult HandleDownloadDataset(ServerContext& context, const RouteRequest& request);
HandlerResult HandleDeleteDataset(ServerContext& context, const RouteRequest& request);
// notebook_handlers.cc
HandlerResult HandleListNotebooks(ServerContext& context, const RouteRequest& request);
HandlerResult HandleGetNotebook(ServerContext& context, const RouteRequest& request);
HandlerResult HandlePutNotebook(ServerContext& context, const RouteRequest& request);
HandlerResult HandleDeleteNotebook(ServerContext& context, const RouteRequest& request);

}  // namespace strata::serve
